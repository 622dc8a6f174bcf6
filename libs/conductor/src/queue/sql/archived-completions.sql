-- Which of the given executions are archived as completed at the given attempt: completions that a try
-- whose answer was lost applied, and that its retry then found gone and named late (completer.ts). A
-- truly late outcome's execution ran again, so its archived attempt is a later one.
-- $1: the ids, $2: their attempts, in the same order. Returns each match's id and state (as
-- recorded-failures.sql does, for the completer's one reader of both).
SELECT a.id::text AS id, a.state
FROM unnest($1::uuid[], $2::integer[]) AS given(id, attempts)
JOIN :"schema".archived_executions AS a ON a.id = given.id AND a.attempts = given.attempts
WHERE a.state = 'completed';
