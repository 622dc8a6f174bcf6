import type { Database } from '@conductor/nestjs';

/**
 * Makes the server slow to commit the statements that `event` rows of `conductor.executions` matching
 * `when` (a trigger condition over NEW): a trigger sleeps `seconds` once each such row is written, inside
 * the statement, so it commits that much later than a client that lost its answer may expect.
 */
export async function commitSlowly(
  db: Database,
  name: string,
  event: 'INSERT' | 'UPDATE',
  when: string,
  seconds: number,
): Promise<void> {
  await db.query(
    `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(${seconds}); RETURN NULL; END $$`,
  );
  await db.query(
    `CREATE TRIGGER ${name} AFTER ${event} ON conductor.executions FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION ${name}()`,
  );
}
