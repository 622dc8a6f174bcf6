import type { QueueRun } from '../measure-queues';
import type { ResultTable } from '../support/result-table';
import { advantage } from './compare';
import { ratio, table } from './markdown';

/** Goal is one target of issue 6: `measured` is an advantage ratio, met when at least `atLeast`. */
interface Goal {
  text: string;
  measured: number | undefined;
  atLeast: number;
}

/** Conductor at its defaults, and keeping nothing once finished (as the peers that delete do). */
const OURS = [
  { id: 'conductor', label: 'Conductor (defaults)' },
  { id: 'conductor-no-retention', label: 'Conductor (retentionMs: 0)' },
];
const GRAPHILE = ['graphile-defaults', 'graphile-tuned'];

/** Conductor's advantage over the better of graphile-worker's two configurations. */
function overGraphile(run: QueueRun, us: string, row: string, metric: string, better: 'higher' | 'lower'): number | undefined {
  const each = GRAPHILE.map((peer) => advantage(run.results, row, metric, better, us, peer)).filter((v) => v !== undefined);
  return each.length ? Math.min(...each) : undefined;
}

/** The targets with what this run measured. */
function goals(run: QueueRun, us: string, policy: ResultTable, drains: number[]): Goal[] {
  const q = (row: string, metric: string, better: 'higher' | 'lower', peer: string): number | undefined =>
    advantage(run.results, row, metric, better, us, peer);
  // Time per query: TypeORM's queries/s over ours is our time over its time; the goal is ≤ 1.05, i.e. advantage ≥ 1/1.05.
  const policyGoal = (c: number): Goal => ({
    text: `\`Database\` within 1.05× a bare TypeORM DataSource, concurrency ${c} (advantage ≥ 0.95)`,
    measured: advantage(policy, String(c), 'queries/s', 'higher', 'conductor-database', 'typeorm'),
    atLeast: 1 / 1.05,
  });
  return [
    ...drains.flatMap((c) => [
      {
        text: `drain at concurrency ${c} ≥ 1.5× graphile-worker (tuned)`,
        measured: q(`drain-${c}`, 'jobs/s', 'higher', 'graphile-tuned'),
        atLeast: 1.5,
      },
      {
        text: `drain at concurrency ${c} ≥ 0.8× raw SQL`,
        measured: q(`drain-${c}`, 'jobs/s', 'higher', 'raw-sql'),
        atLeast: 0.8,
      },
    ]),
    { text: 'batched enqueue ≥ 0.8× raw SQL', measured: q('enqueue-batch', 'jobs/s', 'higher', 'raw-sql'), atLeast: 0.8 },
    {
      text: 'single enqueue ≥ 3× graphile-worker (the faster of its two runs)',
      measured: overGraphile(run, us, 'enqueue-single', 'jobs/s', 'higher'),
      atLeast: 3,
    },
    {
      text: "trickle p95 no worse than graphile-worker's (the better of its two runs)",
      measured: overGraphile(run, us, 'trickle', 'p95 ms', 'lower'),
      atLeast: 1,
    },
    policyGoal(1),
    policyGoal(32),
  ];
}

/** The goals table: target, then the measured advantage and whether it is met, for each of our configurations. */
export function goalsTable(run: QueueRun, policy: ResultTable, drains: number[]): string {
  const ours = OURS.filter(({ id }) => run.systems.some((spec) => spec.id === id));
  const each = ours.map(({ id }) => goals(run, id, policy, drains));
  const body = each[0]?.map((goal, index) => [
    goal.text,
    ...each.flatMap((measured) => {
      const g = measured[index];
      return [ratio(g.measured), g.measured === undefined ? 'not measured' : g.measured >= g.atLeast ? 'met' : '**not met**'];
    }),
  ]);
  const headers = ours.flatMap(({ label }) => [`${label}: measured (above 1: better)`, 'status']);
  return table(['goal (issue 6)', ...headers], body ?? []);
}
