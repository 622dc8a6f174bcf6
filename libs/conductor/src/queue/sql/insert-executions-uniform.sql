-- Enqueues a batch whose items share their task, queue and max_attempts and carry no options: the usual
-- batch, and most groups of single invokes. Instead of a JSON document, the items go as two parameters:
-- $1, the client-generated ids as a uuid[] in binary form (uuid-array-param.ts), and $6, the payloads'
-- JSON joined by the record separator U+001E (JSON text escapes every control character, so no payload
-- contains it). $2: the channel; $3, $4, $5: the task, queue and max_attempts. Every row runs at once,
-- so the notification is unconditional.
-- Measured against insert-executions.sql on batches of 500: 12 % less server time a row, no JSON
-- document to parse; the ids in binary form then saved about 3,600 instructions a row (9 %) against
-- their text joined by commas, each of which uuid_in decoded byte by byte. Each payload is cast row by
-- row: casting the whole array (::jsonb[]) kept every payload's parser state until the statement ended,
-- about 330 fresh pages and 0.7 ms a statement.
-- The two arrays are unnested in the select list, where they advance together a row at a time: in FROM,
-- unnest(a, b) first copied every pair into a tuplestore and read it back, about 900 instructions a row
-- (35,187 against 34,270 with `npm run bench:instructions`). Arrays of unequal length would end in NULLs,
-- which the NOT NULL id and payload refuse, as they did in FROM.
-- As with insert-executions.sql, a lost answer is followed by insert-executions-keyed.sql.
WITH inserted AS (
  INSERT INTO :"schema".executions (id, task, queue, payload, max_attempts)
  SELECT unnest($1::uuid[]), $3::text, $4::text, unnest(string_to_array($6::text, E'\x1e'))::jsonb, $5::integer
)
SELECT pg_notify($2, '') AS notified;
