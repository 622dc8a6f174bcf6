import type { Client } from 'pg';
import { type CallgrindServer, connectCounted } from './callgrind-server';
import type { CountedSystem, FetchedRow } from './counted-systems';

/** The sizes of one count, as a worker under load uses them. */
export interface CountSettings {
  rows: number;
  insertBatch: number;
  fetchBatch: number;
  completeBatch: number;
  /** Fetches leased but not yet completed while the next one runs, as a worker's buffer holds them. */
  fetchesAhead: number;
}

/** Instructions the server executed per row, by statement. */
export interface InstructionCount {
  system: string;
  insert: number;
  fetch: number;
  complete: number;
}

type CountedClient = Client & { backendPid: number };

/**
 * Counts one system's statements. Each is measured on connections of its own, whose backends' whole
 * lives are counted; a second pair of connections that only prepares and runs the same statements once
 * is subtracted, which leaves the rows' own cost (connection start, catalog lookups and planning cancel out).
 */
export async function countInstructions(
  server: CallgrindServer,
  system: CountedSystem,
  s: CountSettings,
): Promise<InstructionCount> {
  const database = `instructions_${system.id.replace(/\W/g, '_')}`;
  const admin = await connectCounted(server.url());
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = server.url(database);
  const setup = await connectCounted(url);
  try {
    await system.setup(setup);

    let next = 0;
    const insertOnce = async (client: CountedClient): Promise<void> => {
      await system.insert(client, next, 1);
      next += 1;
    };
    const insertBase = await usedBy(server, url, insertOnce);
    const inserted = await usedBy(server, url, async (client) => {
      await insertOnce(client);
      for (let done = 0; done < s.rows; done += s.insertBatch) {
        const count = Math.min(s.insertBatch, s.rows - done);
        await system.insert(client, next, count);
        next += count;
      }
    });
    await setup.query('ANALYZE');

    // Warm-up: the statements prepared and run once, on nothing.
    const warm = async (fetcher: CountedClient, completer: CountedClient): Promise<void> => {
      await system.fetch(fetcher, 0);
      await system.complete(completer, []);
    };
    const [fetchBase, completeBase] = await usedByPair(server, url, warm);
    let fetched = 0;
    const [fetchTotal, completeTotal] = await usedByPair(server, url, async (fetcher, completer) => {
      await warm(fetcher, completer);
      const ahead: FetchedRow[][] = [];
      // Every fetch takes rows until none is left, then the ones ahead are completed: a bounded number of rounds.
      const rounds = Math.ceil(next / s.fetchBatch) + s.fetchesAhead + 2;
      for (let round = 0; ; round++) {
        if (round > rounds) throw new Error(`${system.label}: rows were still fetched after ${rounds} fetches of ${next} rows`);
        const rows = await system.fetch(fetcher, s.fetchBatch);
        fetched += rows.length;
        ahead.push(rows);
        if (ahead.length > s.fetchesAhead || rows.length === 0) {
          const due = ahead.shift() ?? [];
          for (let start = 0; start < due.length; start += s.completeBatch)
            await system.complete(completer, due.slice(start, start + s.completeBatch));
        }
        if (rows.length === 0 && ahead.every((batch) => batch.length === 0)) break;
      }
    });
    // Every row is fetched, the two rows of the baseline inserts included.
    return {
      system: system.label,
      insert: (inserted - insertBase) / s.rows,
      fetch: (fetchTotal - fetchBase) / fetched,
      complete: (completeTotal - completeBase) / fetched,
    };
  } finally {
    await setup.end();
  }
}

/** Instructions of a backend that runs `work` on one fresh connection. */
async function usedBy(server: CallgrindServer, url: string, work: (client: CountedClient) => Promise<void>): Promise<number> {
  const client = await connectCounted(url);
  try {
    await work(client);
  } catch (error) {
    await client.end();
    throw error;
  }
  return server.instructionsOf(client);
}

/** Instructions of the two backends that run `work` on two fresh connections. */
async function usedByPair(
  server: CallgrindServer,
  url: string,
  work: (first: CountedClient, second: CountedClient) => Promise<void>,
): Promise<[number, number]> {
  const first = await connectCounted(url);
  const second = await connectCounted(url);
  try {
    await work(first, second);
  } catch (error) {
    await Promise.all([first.end(), second.end()]);
    throw error;
  }
  return [await server.instructionsOf(first), await server.instructionsOf(second)];
}
