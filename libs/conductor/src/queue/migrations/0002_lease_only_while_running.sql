-- A lease is set exactly while an execution runs: the fetch sets it with state 'running', and every
-- statement that takes an execution out of 'running' clears it. Stated here, the database holds every
-- writer to it, and the outcome statements can fence on the lease alone: their former `state = 'running'`
-- filter let the planner AND the whole executions_running index into each completion batch, measured
-- at more than half of the completion's cost.
ALTER TABLE :"schema".executions
  ADD CONSTRAINT executions_lease_only_while_running CHECK ((state = 'running') = (lease IS NOT NULL));
