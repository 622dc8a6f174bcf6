import '../support/register-alias';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openBenchServer } from '../support/bench-server';
import { copyLibraryAssets } from '../support/copy-library-assets';
import { machineInfo } from '../support/machine-info';
import { repoRoot } from '../support/repo-root';
import { conductorNoRetentionSpec, conductorSpec } from '../systems/conductor/conductor.system';
import { rawSqlSpec } from '../systems/raw-sql/raw-sql.system';
import { type DrainCost, measureDrainCost } from './measure-drain-cost';

const SYSTEMS = [conductorSpec, conductorNoRetentionSpec, rawSqlSpec];

/**
 * `npm run bench:cost`: where a drain's time goes, per job. Each system drains the same pre-inserted
 * no-op jobs in this process, on one server with pg_stat_statements preloaded (the embedded one, or
 * `BENCH_PG_URL` when its server preloads it); the rounds alternate the systems. Writes dist/drain-cost.md.
 */
async function main(): Promise<void> {
  const jobs = positive('BENCH_COST_JOBS', 100_000);
  const rounds = positive('BENCH_REPEATS', 2);
  const concurrency = positive('BENCH_COST_CONCURRENCY', 10);
  copyLibraryAssets();
  const server = await openBenchServer(process.env.BENCH_PG_URL, ['-c', 'shared_preload_libraries=pg_stat_statements']);
  const costs: DrainCost[] = [];
  try {
    const machine = await machineInfo(server.adminUrl);
    console.log(`bench:cost: PostgreSQL ${machine.postgres}, Node ${process.version}, ${machine.cores} cores`);
    for (let round = 1; round <= rounds; round++) {
      for (const spec of SYSTEMS) {
        const cost = await measureDrainCost(server, spec, { jobs, warmUp: Math.min(2_000, jobs / 10), concurrency, round });
        console.log(`[${round}/${rounds}] ${spec.label}: ${Math.round(cost.jobsPerSecond)} jobs/s`);
        costs.push(cost);
      }
    }
    const report = render(
      costs,
      `${jobs} no-op jobs at concurrency ${concurrency}, PostgreSQL ${machine.postgres}, Node ${process.version}`,
    );
    const file = join(repoRoot(), 'dist', 'drain-cost.md');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, report);
    console.log(`\n${report}\nbench:cost: written to ${file}`);
  } finally {
    await server.close();
  }
}

function render(costs: DrainCost[], what: string): string {
  const micro = (value: number | undefined): string => (value === undefined ? 'n/a' : `${value.toFixed(1)} µs`);
  const lines = [
    `# Drain cost per job`,
    '',
    `${what}. Measured from the 2,000th handler start (a tenth of the jobs when fewer) to the last.`,
    '',
    '| system | jobs/s | Node CPU | PostgreSQL CPU |',
    '| --- | --- | --- | --- |',
    ...costs.map(
      (c) =>
        `| ${c.system} | ${Math.round(c.jobsPerSecond).toLocaleString('en-US')} | ${micro(c.nodeMicrosPerJob)} | ${micro(c.postgresMicrosPerJob)} |`,
    ),
    '',
    '| system | statement | calls | rows per call | execution time per job |',
    '| --- | --- | --- | --- | --- |',
    ...costs.flatMap((c) =>
      c.statements.map(
        (s) => `| ${c.system} | ${s.label.replace(/\|/g, '\\|')} | ${s.calls} | ${s.rowsPerCall} | ${micro(s.microsPerJob)} |`,
      ),
    ),
    '',
  ];
  return lines.join('\n');
}

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
