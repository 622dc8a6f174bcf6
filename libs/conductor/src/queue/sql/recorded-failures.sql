-- Which of the given failed attempts are in their execution's error history already: failures that a
-- try whose answer was lost recorded, and that its retry then found no longer leased (completer.ts).
-- An entry names its attempt and the moment it was made, so only this attempt's own write matches it;
-- the sweep's entry for a lost attempt is another one. Looked for in the hot table, then in the archive
-- (the execution may have run again and finished since). $1: JSON array of { id, error }. Returns each
-- match's id and the state of its execution now.
WITH given AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(id uuid, error jsonb)
),
found AS (
  SELECT g.id,
         coalesce(
           (SELECT e.state FROM :"schema".executions AS e WHERE e.id = g.id AND e.errors @> jsonb_build_array(g.error)),
           (SELECT a.state FROM :"schema".archived_executions AS a
            WHERE a.id = g.id AND a.errors @> jsonb_build_array(g.error) LIMIT 1)) AS state
  FROM given AS g
)
SELECT id::text AS id, state FROM found WHERE state IS NOT NULL;
