import '../support/register-alias';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../report/markdown';
import { openBenchServer } from '../support/bench-server';
import { BATCH_SIZE, positive } from '../support/bench-settings';
import { copyLibraryAssets } from '../support/copy-library-assets';
import { machineInfo } from '../support/machine-info';
import { repoRoot } from '../support/repo-root';
import { median } from '../support/statistics';
import { payloads } from '../workloads/payloads';
import { type BackendUsage, openBackendUsage } from './backend-usage';
import { type EnqueueLayer, enqueueLayers } from './enqueue-layers';

/** Untimed batches per layer before the first round: prepared statements, pools and the JIT warm up. */
const WARM_UP_BATCHES = 10;

/**
 * `npm run bench:enqueue`: where batched enqueue's time goes, layer by layer (enqueue-layers.ts). The
 * layers take turns batch by batch, in a fresh random order every batch, so a noisy minute of the
 * machine falls on all of them alike and no layer always runs after the same one (a rotating order did
 * that, and a statement pays for some of the work its predecessor's commit left behind); a round's ratio
 * compares the same minutes. With the embedded server it also reads, from /proc, the CPU time and the page
 * faults of each layer's backends: a fresh page costs a fault, and on some machines (MachineInfo) a
 * fault costs more than the instructions of a row. Writes dist/enqueue-layers.md.
 */
async function main(): Promise<void> {
  const rounds = positive(process.env.BENCH_REPEATS, 3, 'BENCH_REPEATS');
  const batches = positive(process.env.BENCH_ENQUEUE_BATCHES, 100, 'BENCH_ENQUEUE_BATCHES');
  copyLibraryAssets();
  const server = await openBenchServer(process.env.BENCH_PG_URL);
  let layers: EnqueueLayer[] = [];
  try {
    const machine = await machineInfo(server.adminUrl);
    const where = `PostgreSQL ${machine.postgres}, Node ${process.version}, ${machine.cores} cores, ${machine.freshPageMicros.toFixed(2)} µs to touch a fresh 4 KiB page`;
    console.log(`bench:enqueue: ${where}`);
    layers = await enqueueLayers(server);
    let next = -WARM_UP_BATCHES * BATCH_SIZE;
    const batch = (): ReturnType<typeof payloads> => payloads(next, (next += BATCH_SIZE));
    for (let k = 0; k < WARM_UP_BATCHES; k++) for (const layer of layers) await layer.enqueueBatch(batch());

    // Only the embedded server's backends are processes of this machine.
    const backendUsage = server.embedded
      ? await openBackendUsage(
          server.adminUrl,
          layers.map((l) => l.database),
        )
      : undefined;
    const rows = batches * BATCH_SIZE;
    // perRow[round][layer]: microseconds of wall time a row; serverPerRow: the backends' use a row, where known.
    const perRow: number[][] = [];
    const serverPerRow: (BackendUsage | undefined)[][] = [];
    for (let round = 0; round < rounds; round++) {
      const elapsed = layers.map(() => 0);
      const before = backendUsage?.();
      for (let k = 0; k < batches; k++) {
        for (const index of shuffled(layers.length)) {
          const started = performance.now();
          await layers[index].enqueueBatch(batch());
          elapsed[index] += performance.now() - started;
        }
      }
      perRow.push(elapsed.map((ms) => (ms * 1000) / rows));
      const after = backendUsage?.();
      serverPerRow.push(layers.map((_, i) => perRowOf(before?.[i], after?.[i], rows)));
      console.log(`[${round + 1}/${rounds}] ${layers.map((l, i) => `${l.id} ${perRow[round][i].toFixed(2)} µs`).join(', ')}`);
    }
    const what = `${rounds} round(s) of ${batches} batches of ${BATCH_SIZE} per layer, ${where}`;
    const report = render(layers, perRow, serverPerRow, what);
    const file = join(repoRoot(), 'dist', 'enqueue-layers.md');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, report);
    console.log(`\n${report}\nbench:enqueue: written to ${file}`);
  } finally {
    for (const layer of layers) await layer.close();
    await server.close();
  }
}

/** 0 … n-1 in a random order (Fisher–Yates). */
function shuffled(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** What the backends used between two readings, a row; undefined when either reading is missing. */
function perRowOf(before: BackendUsage | undefined, after: BackendUsage | undefined, rows: number): BackendUsage | undefined {
  if (!before || !after) return undefined;
  return { cpuMicros: (after.cpuMicros - before.cpuMicros) / rows, minorFaults: (after.minorFaults - before.minorFaults) / rows };
}

function render(layers: EnqueueLayer[], perRow: number[][], serverPerRow: (BackendUsage | undefined)[][], what: string): string {
  const raw = layers.findIndex((l) => l.id === 'raw-sql');
  const ratios = (i: number): number[] => perRow.map((round) => round[raw] / round[i]);
  const range = (values: number[], digits: number): string =>
    `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
  // The median of the rounds that have a reading, or n/a (a server elsewhere, a backend gone).
  const serverMedian = (i: number, pick: (usage: BackendUsage) => number, scale: number, digits: number): string => {
    const values = serverPerRow.flatMap((round) => (round[i] ? [pick(round[i]) * scale] : []));
    return values.length ? median(values).toFixed(digits) : 'n/a';
  };
  return [
    '# Batched enqueue, layer by layer',
    '',
    `${what}. The layers take turns batch by batch, in a random order every batch. Wall time a row as the caller sees it; the ratio is the raw queue's time over the layer's, per round (above 1: faster than raw SQL). The server's CPU and page faults are those of the layer's own backends (embedded server only), medians of rounds.`,
    '',
    table(
      [
        'layer',
        'µs a row (median of rounds)',
        'range',
        'raw SQL ÷ this (median of rounds)',
        'range',
        'server CPU, µs a row',
        'server page faults a 1,000 rows',
      ],
      layers.map((layer, i) => {
        const times = perRow.map((round) => round[i]);
        return [
          layer.label,
          median(times).toFixed(2),
          range(times, 2),
          `${median(ratios(i)).toFixed(3)}×`,
          range(ratios(i), 3),
          serverMedian(i, (u) => u.cpuMicros, 1, 2),
          serverMedian(i, (u) => u.minorFaults, 1000, 1),
        ];
      }),
    ),
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
