import { randomBytes } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import { Database, getDatabaseToken } from '@conductor/nestjs';
import { PREBUILT_BIND_FROM } from '@conductor/nestjs/database/send-statement';
import { startConductor } from '../support/app';
import { type TestDatabase, createTestDatabase, dropTestDatabase, withAdmin } from '../support/test-database';

// Statements whose values reach PREBUILT_BIND_FROM have their Bind written by Conductor (bind-message.ts),
// not by pg: what they send and get back must not change, prepared or not, in a transaction or after an error.

const ROUND_TRIP = `SELECT $1::text AS text, $2::bytea AS bytes, $3::int AS number, $4::text IS NULL AS missing,
                           octet_length($1::text) AS text_bytes`;

/** A text of at least PREBUILT_BIND_FROM characters, with one-, two-, three- and four-byte UTF-8 characters. */
const bigText = (seed: string): string => `${seed} zoë ☃ 𝄞 `.repeat(Math.ceil(PREBUILT_BIND_FROM / 10) + 1);

describe('Database.query with large values', () => {
  let database: TestDatabase;
  let app: TestingModule;
  let named: Database;
  let unnamed: Database;

  beforeAll(async () => {
    database = await createTestDatabase('bind');
    app = await startConductor({
      databases: {
        named: { url: database.url, pool: { max: 2 } },
        unnamed: { url: database.url, pool: { max: 2 }, preparedStatements: false },
      },
    });
    named = app.get<Database>(getDatabaseToken('named'));
    unnamed = app.get<Database>(getDatabaseToken('unnamed'));
    await named.query('CREATE TABLE documents (id int PRIMARY KEY, body text NOT NULL)');
  });

  afterAll(async () => {
    await app?.close();
    if (database) await dropTestDatabase(database.name);
  });

  beforeEach(() => named.query('TRUNCATE documents'));

  it.each([
    ['prepared', () => named],
    ['unnamed', () => unnamed],
  ])('sends text, binary, numbers and NULL unchanged (%s), call after call on each connection', async (_mode, handle) => {
    const db = handle();
    // Five calls on a pool of two: the first on each connection parses the statement, the later ones reuse it.
    for (let call = 0; call < 5; call++) {
      const text = bigText(`call ${call}`);
      const bytes = randomBytes(PREBUILT_BIND_FROM * 2);
      const [row] = await db.query<{ text: string; bytes: Buffer; number: number; missing: boolean; text_bytes: number }>(
        ROUND_TRIP,
        [text, bytes, call - 2, null],
        { name: 'conductor_test_round_trip', route: 'primary' },
      );
      expect(row.text).toBe(text);
      expect(row.text_bytes).toBe(Buffer.byteLength(text));
      expect(Buffer.compare(row.bytes, bytes)).toBe(0);
      expect(row.number).toBe(call - 2);
      expect(row.missing).toBe(true);
    }
  });

  it('reports the server refusing a value, and the connection runs the next statements', async () => {
    await expect(
      named.query(ROUND_TRIP, [bigText('bad'), Buffer.alloc(1), 'not a number', null], { name: 'conductor_test_round_trip' }),
    ).rejects.toThrow('invalid input syntax for type integer: "not a number"');
    for (let call = 0; call < 3; call++) {
      const [row] = await named.query<{ number: number }>(ROUND_TRIP, [bigText('after'), Buffer.alloc(1), call, null], {
        name: 'conductor_test_round_trip',
      });
      expect(row.number).toBe(call);
    }
    expect(await named.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('joins the transaction it is called in', async () => {
    const body = bigText('kept');
    await expect(
      named.transaction(async () => {
        await named.query('INSERT INTO documents VALUES ($1, $2)', [1, bigText('rolled back')], {
          name: 'conductor_test_insert',
        });
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    await named.transaction(() =>
      named.query('INSERT INTO documents VALUES ($1, $2)', [2, body], { name: 'conductor_test_insert' }),
    );
    expect(await named.query('SELECT id, body FROM documents')).toEqual([{ id: 2, body }]);
  });

  it('fails with its connection, and the transaction that runs it again succeeds on a new one', async () => {
    const text = bigText('again');
    let attempts = 0;
    const rows = await named.transaction(async (tx) => {
      if (++attempts === 1) {
        const [{ pid }] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await withAdmin((admin) => admin.query('SELECT pg_terminate_backend($1, 5000)', [pid]));
      }
      return tx.query<{ text: string }>(ROUND_TRIP, [text, Buffer.alloc(1), attempts, null], {
        name: 'conductor_test_round_trip',
      });
    });
    expect(attempts).toBe(2);
    expect(rows).toEqual([expect.objectContaining({ text, number: 2 })]);
  });
});
