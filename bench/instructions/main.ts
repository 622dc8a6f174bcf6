import '../support/register-alias';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../report/markdown';
import { positive } from '../support/bench-settings';
import { copyLibraryAssets } from '../support/copy-library-assets';
import { repoRoot } from '../support/repo-root';
import { callgrindMissing, startCallgrindServer } from './callgrind-server';
import { countedSystems } from './counted-systems';
import { type CountSettings, type InstructionCount, countInstructions } from './measure-instructions';

/**
 * `npm run bench:instructions`: the instructions PostgreSQL executes per row for each queue's batched
 * insert, fetch and completion, counted by callgrind. Unlike times on this shared machine, the counts
 * repeat to within a fraction of a percent from run to run, so a change to a statement or to the schema
 * can be judged from one run. They count work, not waiting, cache misses or locks: they complement the
 * timed benchmarks, they do not replace them. Needs valgrind; writes dist/instructions.md.
 */
async function main(): Promise<void> {
  const missing = callgrindMissing();
  if (missing) throw new Error(`bench:instructions: ${missing}`);
  const settings: CountSettings = {
    rows: positive(process.env.BENCH_INSTRUCTION_ROWS, 10_000, 'BENCH_INSTRUCTION_ROWS'),
    insertBatch: 500,
    fetchBatch: 900,
    completeBatch: 250,
    fetchesAhead: 2,
  };
  copyLibraryAssets();
  console.log('bench:instructions: starting PostgreSQL under callgrind (about a minute)');
  const server = await startCallgrindServer();
  const counts: InstructionCount[] = [];
  try {
    for (const system of countedSystems()) {
      const count = await countInstructions(server, system, settings);
      console.log(`${system.label}: insert ${fmt(count.insert)}, fetch ${fmt(count.fetch)}, completion ${fmt(count.complete)}`);
      counts.push(count);
    }
  } finally {
    await server.close();
  }
  const report = render(counts, settings);
  const file = join(repoRoot(), 'dist', 'instructions.md');
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, report);
  console.log(`\n${report}\nbench:instructions: written to ${file}`);
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function render(counts: InstructionCount[], s: CountSettings): string {
  const raw = counts.find((c) => c.id === 'raw-sql');
  const ratio = (ours: number, theirs: number | undefined): string => (theirs ? `${(ours / theirs).toFixed(2)}×` : 'n/a');
  const rawPerJob = raw ? raw.insert + raw.fetch + raw.complete : undefined;
  const rows = counts.map((c) => {
    const perJob = c.insert + c.fetch + c.complete;
    return [
      c.system,
      `${fmt(c.insert)} (${ratio(c.insert, raw?.insert)})`,
      `${fmt(c.fetch)} (${ratio(c.fetch, raw?.fetch)})`,
      `${fmt(c.complete)} (${ratio(c.complete, raw?.complete)})`,
      `${fmt(perJob)} (${ratio(perJob, rawPerJob)})`,
    ];
  });
  return [
    '# Server instructions per row',
    '',
    `Counted by callgrind in the PostgreSQL backends that ran each statement, over ${fmt(s.rows)} rows: inserted ${s.insertBatch} a statement, ` +
      `fetched ${s.fetchBatch} a statement with ${s.fetchesAhead} fetches leased ahead of the completions, completed ${s.completeBatch} a statement. ` +
      'In brackets, against the raw-SQL queue.',
    '',
    table(['system', 'insert', 'fetch', 'completion', 'a job, all three'], rows),
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
