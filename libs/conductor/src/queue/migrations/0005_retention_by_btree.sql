-- The retention cleanup finds expired rows through btree indexes over their time, instead of BRIN ones.
--
-- A BRIN summary only widens. Rows did arrive in time order, but once the cleanup has deleted the oldest
-- ones, VACUUM hands their space to new rows at the head of the table, and the summary of every reused
-- block range then spans from its first rows' time to its newest. Each batch of the cleanup read more
-- pages per expired row the longer a deployment ran: after one such cycle of 200,000 finished executions
-- (PostgreSQL 18.4), a batch of 1,000 expired rows read 947 pages through the BRIN index and 19 through a
-- btree one. The cleanup's statement now also takes the oldest rows first, in the index's order, so that
-- its generic plan walks the index however many rows the planner guesses are expired.
--
-- The price: a completion that keeps its execution writes a btree entry instead of a BRIN one, about
-- 4,900 server instructions a row more (`npm run bench:instructions`), and so does an invoke with an
-- idempotency key.
--
-- Not breaking: no statement names these indexes. Building each reads its table once while writes to it
-- wait: 2.6 s for 2 million finished executions and 1.5 s for 2 million idempotency keys (measured).
CREATE INDEX finished_executions_finished_at_btree ON :"schema".finished_executions (finished_at);
DROP INDEX :"schema".finished_executions_finished_at;
ALTER INDEX :"schema".finished_executions_finished_at_btree RENAME TO finished_executions_finished_at;

CREATE INDEX idempotency_keys_created_at_btree ON :"schema".idempotency_keys (created_at);
DROP INDEX :"schema".idempotency_keys_created_at;
ALTER INDEX :"schema".idempotency_keys_created_at_btree RENAME TO idempotency_keys_created_at;
