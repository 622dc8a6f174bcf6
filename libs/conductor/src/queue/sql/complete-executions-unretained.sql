-- Records a batch of completions when finished executions are not retained: the row is deleted, if
-- its lease is still current (a lease is set only while running: migration 0002).
-- $1: JSON array of { id, lease }. Returns the ids that were NOT applied (late), usually none.
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(id uuid, lease bigint)
),
done AS (
  DELETE FROM :"schema".executions AS e
  USING input
  WHERE e.id = ANY (ARRAY(SELECT id FROM input)) AND e.id = input.id AND e.lease = input.lease
  RETURNING e.id
)
SELECT i.id::text AS id FROM input AS i WHERE NOT EXISTS (SELECT 1 FROM done WHERE done.id = i.id);
