import { Client } from 'pg';
import { type CallgrindServer, type CountedClient, connectCounted } from './callgrind-server';
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
  id: string;
  system: string;
  insert: number;
  fetch: number;
  complete: number;
}

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
  const admin = new Client({ connectionString: server.url() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  const url = server.url(database);
  const setup = new Client({ connectionString: url });
  await setup.connect();
  try {
    await system.setup(setup);

    let next = 0;
    const insertOnce = async (client: CountedClient): Promise<void> => {
      await system.insert(client, next, 1);
      next += 1;
    };
    const [insertBase] = await countedRun(server, url, 1, ([client]) => insertOnce(client));
    const [inserted] = await countedRun(server, url, 1, async ([client]) => {
      await insertOnce(client);
      for (let done = 0; done < s.rows; done += s.insertBatch) {
        const count = Math.min(s.insertBatch, s.rows - done);
        await system.insert(client, next, count);
        next += count;
      }
    });
    await setup.query('ANALYZE');

    // Warm-up: the statements prepared and run once, on nothing.
    const warm = async ([fetcher, completer]: CountedClient[]): Promise<void> => {
      await system.fetch(fetcher, 0);
      await system.complete(completer, []);
    };
    const [fetchBase, completeBase] = await countedRun(server, url, 2, warm);
    let fetched = 0;
    const [fetchTotal, completeTotal] = await countedRun(server, url, 2, async ([fetcher, completer]) => {
      await warm([fetcher, completer]);
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
      id: system.id,
      system: system.label,
      insert: (inserted - insertBase) / s.rows,
      fetch: (fetchTotal - fetchBase) / fetched,
      complete: (completeTotal - completeBase) / fetched,
    };
  } finally {
    await setup.end();
  }
}

/** The instructions of each of `connections` fresh connections' backends, after `work` ran on them. */
async function countedRun(
  server: CallgrindServer,
  url: string,
  connections: number,
  work: (clients: CountedClient[]) => Promise<void>,
): Promise<number[]> {
  // NOTE: one after another, not at once: backends started together did not start alike. Connected at
  // once, one of them spent 12 million instructions more (measured), which moved the completion's count
  // by 1,240 a row; connected in turn, the counts repeat within 0.1 %.
  const clients: CountedClient[] = [];
  for (let i = 0; i < connections; i++) clients.push(await connectCounted(url));
  try {
    await work(clients);
  } catch (error) {
    await Promise.all(clients.map((client) => client.end()));
    throw error;
  }
  const counts: number[] = [];
  for (const client of clients) counts.push(await server.instructionsOf(client));
  return counts;
}
