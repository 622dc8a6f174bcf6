-- Records a batch of completions when finished executions are not retained: the row is deleted, if
-- its lease is still current. $1: JSON array of { id, lease }. Returns the ids that were applied.
DELETE FROM :"schema".executions AS e
USING jsonb_to_recordset($1::jsonb) AS input(id uuid, lease bigint)
WHERE e.id = input.id AND e.lease = input.lease AND e.state = 'running'
RETURNING e.id::text AS id;
