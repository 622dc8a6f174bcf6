import './support/register-alias';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { sqlClients } from './clients/sql-clients';
import { measurePolicy } from './measure-policy';
import { measureQueues } from './measure-queues';
import { renderReport } from './report/render-report';
import { openBenchServer } from './support/bench-server';
import { isFullRun, readSettings } from './support/bench-settings';
import { snapshotBuild } from './support/build-snapshot';
import { copyLibraryAssets } from './support/copy-library-assets';
import { machineInfo } from './support/machine-info';
import { repoRoot } from './support/repo-root';
import { queueCases } from './workloads/queue-cases';

/** `npm run bench`: measures every system on one PostgreSQL and writes docs/benchmarks.md. */
async function main(): Promise<void> {
  const settings = readSettings();
  const startedAt = new Date();
  console.log(`bench: Node ${process.version} (${process.execPath})${settings.quick ? ', quick mode' : ''}`);
  copyLibraryAssets();
  const snapshot = snapshotBuild();
  const server = await openBenchServer(settings.serverUrl);
  try {
    const machine = await machineInfo(server.adminUrl);
    console.log(`bench: PostgreSQL ${machine.postgres}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB`);
    const queue = await measureQueues(server, settings, snapshot.childEntry);
    const policy = await measurePolicy(server, settings, snapshot.childEntry);
    const report = renderReport({
      settings,
      machine,
      embedded: server.embedded,
      startedAt,
      cases: queueCases(settings),
      queue,
      policy,
      clients: sqlClients,
    });
    // A smoke or narrowed run must not replace the committed numbers.
    const file = join(repoRoot(), ...(isFullRun(settings) ? ['docs', 'benchmarks.md'] : ['dist', 'benchmarks.partial.md']));
    mkdirSync(join(file, '..'), { recursive: true });
    // Formatted as the repository's prettier check wants it, so `npm test` stays green after a run.
    writeFileSync(file, await format(report, { ...(await resolveConfig(file)), filepath: file }));
    console.log(`\n${report}\nbench: written to ${file}`);
  } finally {
    await server.close();
    snapshot.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
