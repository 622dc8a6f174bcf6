import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { Column, Entity, PrimaryColumn, type Repository } from 'typeorm';
import { Database, InjectDatabase, InjectRepository, TypeOrmModule } from '@conductor/nestjs';
import { startConductor } from '../support/app';
import { type TestDatabase, createTestDatabase, dropTestDatabase } from '../support/test-database';

enum Db {
  Main = 'main',
}

@Entity({ name: 'notes' })
class Note {
  @PrimaryColumn('text')
  id!: string;

  @Column('text')
  body!: string;
}

@Injectable()
class Notes {
  constructor(
    @InjectDatabase(Db.Main) readonly db: Database,
    @InjectRepository(Note, Db.Main) readonly repository: Repository<Note>,
  ) {}
}

/** Resolves every caller once `parties` callers are waiting. */
function barrier(parties: number): () => Promise<void> {
  let waiting = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    if (++waiting === parties) open();
    return opened;
  };
}

describe('Database.transaction', () => {
  let database: TestDatabase;
  let app: TestingModule;
  let db: Database;
  let notes: Notes;

  const ids = async (): Promise<string[]> =>
    (await db.query<{ id: string }>('SELECT id FROM notes ORDER BY id', [], { route: 'primary' })).map((r) => r.id);

  beforeAll(async () => {
    database = await createTestDatabase('tx');
    app = await startConductor(
      { databases: { [Db.Main]: { url: database.url, pool: { max: 4 } } } },
      { imports: [TypeOrmModule.forFeature([Note], Db.Main)], providers: [Notes] },
    );
    notes = app.get(Notes);
    db = notes.db;
    await db.query('CREATE TABLE notes (id text PRIMARY KEY, body text NOT NULL)');
  });

  afterAll(async () => {
    await app?.close();
    if (database) await dropTestDatabase(database.name);
  });

  beforeEach(() => db.query('TRUNCATE notes'));

  it('commits what db.query did inside the callback', async () => {
    const result = await db.transaction(async () => {
      await db.query("INSERT INTO notes VALUES ('a', 'x')");
      return 'done';
    });
    expect(result).toBe('done');
    expect(await ids()).toEqual(['a']);
  });

  it('rolls back what db.query did inside the callback when it throws', async () => {
    await expect(
      db.transaction(async () => {
        await db.query("INSERT INTO notes VALUES ('a', 'x')");
        const [inside] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM notes');
        expect(inside.n).toBe(1);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await ids()).toEqual([]);
  });

  it('rolls back a nested transaction alone and keeps the outer work', async () => {
    await db.transaction(async () => {
      await db.query("INSERT INTO notes VALUES ('outer', 'x')");
      await expect(
        db.transaction(async () => {
          await db.query("INSERT INTO notes VALUES ('inner', 'x')");
          throw new Error('inner fails');
        }),
      ).rejects.toThrow('inner fails');
      await db.transaction(() => db.query("INSERT INTO notes VALUES ('sibling', 'x')"));
    });
    expect(await ids()).toEqual(['outer', 'sibling']);
  });

  it('nests savepoints more than one level deep', async () => {
    await db.transaction(async () => {
      await db.query("INSERT INTO notes VALUES ('1', 'x')");
      await db.transaction(async () => {
        await db.query("INSERT INTO notes VALUES ('2', 'x')");
        await db
          .transaction(async () => {
            await db.query("INSERT INTO notes VALUES ('3', 'x')");
            throw new Error('deepest fails');
          })
          .catch(() => undefined);
      });
    });
    expect(await ids()).toEqual(['1', '2']);
  });

  it('keeps two concurrent transactions apart', async () => {
    const inserted = barrier(2);
    const read = barrier(2);
    const seen: Record<string, string[]> = {};
    const run = (id: string, fail: boolean) =>
      db.transaction(async (tx) => {
        await db.query('INSERT INTO notes VALUES ($1, $2)', [id, 'x']);
        await inserted();
        // Each sees its own uncommitted row and not the other's: two connections, two contexts.
        seen[id] = (await tx.query<{ id: string }>('SELECT id FROM notes ORDER BY id')).map((r) => r.id);
        await read();
        if (fail) throw new Error(`${id} fails`);
      });
    const [a, b] = await Promise.allSettled([run('a', false), run('b', true)]);
    expect(a.status).toBe('fulfilled');
    expect(b).toMatchObject({ status: 'rejected', reason: { message: 'b fails' } });
    expect(seen).toEqual({ a: ['a'], b: ['b'] });
    expect(await ids()).toEqual(['a']);
  });

  it('outside a transaction, db.query does not join one running elsewhere', async () => {
    let inserted!: () => void;
    const insertedInside = new Promise<void>((resolve) => (inserted = resolve));
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const tx = db.transaction(async () => {
      await db.query("INSERT INTO notes VALUES ('a', 'x')");
      inserted();
      await finished;
    });
    await insertedInside;
    expect(await ids()).toEqual([]);
    finish();
    await tx;
    expect(await ids()).toEqual(['a']);
  });

  it('joins tx.manager repositories to the transaction', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.manager.getRepository(Note).save({ id: 'orm', body: 'x' });
        await db.query("INSERT INTO notes VALUES ('sql', 'x')");
        expect(await tx.manager.getRepository(Note).count()).toBe(2);
        throw new Error('roll back both');
      }),
    ).rejects.toThrow('roll back both');
    expect(await ids()).toEqual([]);
  });

  it('injects a repository of TypeOrmModule.forFeature with @InjectRepository(Entity, key)', async () => {
    await notes.repository.save({ id: 'injected', body: 'hello' });
    expect(await notes.repository.findOneBy({ id: 'injected' })).toEqual({ id: 'injected', body: 'hello' });
    expect(await ids()).toEqual(['injected']);
  });

  it('retries a whole transaction after a serialization failure', async () => {
    let runs = 0;
    const result = await db.transaction(async () => {
      runs++;
      if (runs === 1) {
        // The server decides: a real serialization failure raised by PostgreSQL itself.
        await db.query(
          "DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = 'serialization_failure', MESSAGE = 'could not serialize'; END $$",
        );
      }
      await db.query("INSERT INTO notes VALUES ('once', 'x')");
      return runs;
    });
    expect(result).toBe(2);
    expect(await ids()).toEqual(['once']);
  });
});
