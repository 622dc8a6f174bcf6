import type { TestingModule } from '@nestjs/testing';
import { Database, getDatabaseToken } from '@conductor/nestjs';
import { startConductor } from '../support/app';
import { type TestDatabase, createTestDatabase, dropTestDatabase } from '../support/test-database';

// A second database stands in for the replica: where a statement ran shows in current_database().
describe('read replica routing', () => {
  let primary: TestDatabase;
  let replica: TestDatabase;
  let app: TestingModule;
  let db: Database;

  beforeAll(async () => {
    primary = await createTestDatabase('primary');
    replica = await createTestDatabase('replica');
    app = await startConductor({ databases: { main: { url: primary.url, replicas: [{ url: replica.url }], pool: { max: 2 } } } });
    db = app.get<Database>(getDatabaseToken('main'));
    // Same table on both, so that a statement routed to the wrong one still runs and shows where it went.
    for (const target of [primary, replica]) {
      await db.query('CREATE TABLE IF NOT EXISTS items (id int PRIMARY KEY, at text NOT NULL DEFAULT current_database())', [], {
        route: target === primary ? 'primary' : 'replica',
      });
    }
  });

  afterAll(async () => {
    await app?.close();
    if (primary) await dropTestDatabase(primary.name);
    if (replica) await dropTestDatabase(replica.name);
  });

  const where = async (sql: string): Promise<string> => (await db.query<{ db: string }>(sql))[0].db;

  it('sends a plain SELECT to the replica', async () => {
    expect(await where('SELECT current_database() AS db')).toBe(replica.name);
    expect(await where('/* report */ select current_database() as db')).toBe(replica.name);
  });

  it('sends writes to the primary', async () => {
    const [row] = await db.query<{ at: string }>('INSERT INTO items (id) VALUES (1) RETURNING at');
    expect(row.at).toBe(primary.name);
  });

  it('sends locking reads and sequence calls to the primary', async () => {
    expect(await where('SELECT current_database() AS db FROM items FOR UPDATE')).toBe(primary.name);
    await db.query('CREATE SEQUENCE IF NOT EXISTS s', [], { route: 'primary' });
    expect(await where("SELECT current_database() AS db, nextval('s')")).toBe(primary.name);
  });

  it('runs transactions, reads included, on the primary', async () => {
    const seen = await db.transaction(async () => where('SELECT current_database() AS db'));
    expect(seen).toBe(primary.name);
  });

  it("obeys the caller's route", async () => {
    const [row] = await db.query<{ db: string }>('SELECT current_database() AS db', [], { route: 'primary' });
    expect(row.db).toBe(primary.name);
  });
});
