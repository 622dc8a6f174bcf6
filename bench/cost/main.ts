import '../support/register-alias';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openBenchServer } from '../support/bench-server';
import { positive } from '../support/bench-settings';
import { copyLibraryAssets } from '../support/copy-library-assets';
import { machineInfo } from '../support/machine-info';
import { repoRoot } from '../support/repo-root';
import { conductorNoRetentionSpec, conductorSpec } from '../systems/conductor/conductor.system';
import { rawSqlSpec } from '../systems/raw-sql/raw-sql.system';
import { type DrainCost, measureDrainCost } from './measure-drain-cost';

const SYSTEMS = [conductorSpec, conductorNoRetentionSpec, rawSqlSpec];
/** Handler starts before the measured stretch: the JIT, the pools and any prefetch have settled by then. */
const WARM_UP = 2_000;
/** Fewer measured jobs than this and the per-job figures are mostly noise of the stretch's ends. */
const MIN_MEASURED = 1_000;

/**
 * `npm run bench:cost`: where a drain's time goes, per job. Each system drains the same pre-inserted
 * no-op jobs in this process, on one server with pg_stat_statements preloaded (the embedded one, or
 * `BENCH_PG_URL` when its server preloads it; PostgreSQL CPU is then n/a, having no data directory to find
 * the server by); the rounds alternate the systems. Writes dist/drain-cost.md.
 */
async function main(): Promise<void> {
  const jobs = positive(process.env.BENCH_COST_JOBS, 100_000, 'BENCH_COST_JOBS');
  const rounds = positive(process.env.BENCH_REPEATS, 2, 'BENCH_REPEATS');
  const concurrency = positive(process.env.BENCH_COST_CONCURRENCY, 10, 'BENCH_COST_CONCURRENCY');
  if (jobs - WARM_UP < MIN_MEASURED)
    throw new Error(
      `BENCH_COST_JOBS must be at least ${WARM_UP + MIN_MEASURED} (${WARM_UP} warm-up + ${MIN_MEASURED} measured), got ${jobs}`,
    );
  copyLibraryAssets();
  const server = await openBenchServer(process.env.BENCH_PG_URL, ['-c', 'shared_preload_libraries=pg_stat_statements']);
  const costs: DrainCost[] = [];
  try {
    const machine = await machineInfo(server.adminUrl);
    console.log(`bench:cost: PostgreSQL ${machine.postgres}, Node ${process.version}, ${machine.cores} cores`);
    for (let round = 1; round <= rounds; round++) {
      for (const spec of SYSTEMS) {
        const cost = await measureDrainCost(server, spec, { jobs, warmUp: WARM_UP, concurrency, round });
        console.log(`[${round}/${rounds}] ${spec.label}: ${Math.round(cost.jobsPerSecond)} jobs/s`);
        if (cost.statementsMissing) console.log(`  no statement costs: ${cost.statementsMissing}`);
        costs.push(cost);
      }
    }
    const report = render(
      costs,
      `${jobs} no-op jobs at concurrency ${concurrency}, PostgreSQL ${machine.postgres}, Node ${process.version}`,
      WARM_UP,
    );
    const file = join(repoRoot(), 'dist', 'drain-cost.md');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, report);
    console.log(`\n${report}\nbench:cost: written to ${file}`);
  } finally {
    await server.close();
  }
}

function render(costs: DrainCost[], what: string, warmUp: number): string {
  const micro = (value: number | undefined): string => (value === undefined ? 'n/a' : `${value.toFixed(1)} µs`);
  const missing = [...new Set(costs.flatMap((c) => (c.statementsMissing ? [c.statementsMissing] : [])))];
  const lines = [
    `# Drain cost per job`,
    '',
    `${what}. Measured from the moment ${warmUp.toLocaleString('en-US')} handlers have started until the database holds no unfinished job.`,
    '',
    '| system | jobs/s until the database holds no unfinished job | Node CPU | of it, the main thread | PostgreSQL CPU |',
    '| --- | --- | --- | --- | --- |',
    ...costs.map(
      (c) =>
        `| ${c.system} | ${Math.round(c.jobsPerSecond).toLocaleString('en-US')} | ${micro(c.nodeMicrosPerJob)} | ${micro(c.mainThreadMicrosPerJob)} | ${micro(c.postgresMicrosPerJob)} |`,
    ),
    '',
    '| system | statement | calls | rows per call | execution time per job | WAL per job | full-page images per 1,000 jobs |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...costs.flatMap((c) =>
      c.statements.map(
        (s) =>
          `| ${c.system} | ${s.label.replace(/\|/g, '\\|')} | ${s.calls} | ${s.rowsPerCall} | ${micro(s.microsPerJob)} | ` +
          `${Math.round(s.walBytesPerJob)} B | ${s.fullPagesPerThousandJobs.toFixed(1)} |`,
      ),
    ),
    ...missing.map((m) => `\nNo statement costs: ${m}.`),
    '',
  ];
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
