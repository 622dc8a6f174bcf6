import type { QueueRun } from '../measure-queues';
import type { ResultTable } from '../support/result-table';
import { advantage, roundAdvantages } from './compare';
import { ratio, table } from './markdown';
import { OURS } from './ours';
import { timeRelativeTo } from '../workloads/select-one.workload';

/**
 * Goal is one target of issue 6: `measured` is an advantage ratio, met when at least `atLeast`;
 * `rounds` holds the same ratio round by round (or slice medians), to show how far the noise moves it.
 */
interface Goal {
  text: string;
  measured: number | undefined;
  rounds: number[];
  atLeast: number;
}

const GRAPHILE = ['graphile-defaults', 'graphile-tuned'];

/** Conductor's advantage over the better of graphile-worker's two configurations, overall and round by round. */
function overGraphile(
  run: QueueRun,
  us: string,
  row: string,
  metric: string,
  better: 'higher' | 'lower',
): Pick<Goal, 'measured' | 'rounds'> {
  const each = GRAPHILE.map((peer) => advantage(run.results, row, metric, better, us, peer)).filter((v) => v !== undefined);
  const rounds = GRAPHILE.map((peer) => roundAdvantages(run.results, row, metric, better, us, peer)).filter((r) => r.length > 0);
  return {
    measured: each.length ? Math.min(...each) : undefined,
    // Every paired list has one ratio per round of ours, so the lists line up.
    rounds: rounds.length ? rounds[0].map((_, i) => Math.min(...rounds.map((r) => r[i]))) : [],
  };
}

/** The queue targets of the issue for one of our configurations, with what this run measured. */
function queueGoals(run: QueueRun, us: string, drains: number[]): Goal[] {
  const q = (row: string, metric: string, better: 'higher' | 'lower', peer: string): Pick<Goal, 'measured' | 'rounds'> => ({
    measured: advantage(run.results, row, metric, better, us, peer),
    rounds: roundAdvantages(run.results, row, metric, better, us, peer),
  });
  return [
    ...drains.flatMap((c) => [
      {
        text: `drain at concurrency ${c} ≥ 1.5× graphile-worker (tuned)`,
        ...q(`drain-${c}`, 'jobs/s', 'higher', 'graphile-tuned'),
        atLeast: 1.5,
      },
      {
        text: `drain at concurrency ${c} ≥ 0.8× raw SQL`,
        ...q(`drain-${c}`, 'jobs/s', 'higher', 'raw-sql'),
        atLeast: 0.8,
      },
    ]),
    { text: 'batched enqueue ≥ 0.8× raw SQL', ...q('enqueue-batch', 'jobs/s', 'higher', 'raw-sql'), atLeast: 0.8 },
    {
      text: 'single enqueue ≥ 3× graphile-worker (the faster of its two runs)',
      ...overGraphile(run, us, 'enqueue-single', 'jobs/s', 'higher'),
      atLeast: 3,
    },
    {
      text: "trickle p95 no worse than graphile-worker's (the better of its two runs)",
      ...overGraphile(run, us, 'trickle', 'p95 ms', 'lower'),
      atLeast: 1,
    },
  ];
}

/** The `Database` targets: the same whatever the queue's configuration. */
function policyGoals(policy: ResultTable): Goal[] {
  // Our time per query over TypeORM's, slice by slice; the goal is ≤ 1.05, i.e. an advantage ≥ 1/1.05.
  return [1, 32].map((c) => {
    const slowdown = policy.median(String(c), 'conductor-database', timeRelativeTo('typeorm'));
    const rounds = policy.all(String(c), 'conductor-database').map((m) => 1 / m[timeRelativeTo('typeorm')]);
    return {
      text: `\`Database\` within 1.05× a bare TypeORM DataSource, concurrency ${c} (advantage ≥ 0.95)`,
      measured: slowdown ? 1 / slowdown : undefined,
      rounds: rounds.every(Number.isFinite) ? rounds : [],
      atLeast: 1 / 1.05,
    };
  });
}

function cells(goal: Goal): string[] {
  const met = goal.rounds.filter((r) => r >= goal.atLeast).length;
  return [
    ratio(goal.measured),
    goal.rounds.length
      ? `${ratio(Math.min(...goal.rounds))} to ${ratio(Math.max(...goal.rounds))}, ${met} of ${goal.rounds.length} met`
      : '—',
    goal.measured === undefined ? 'not measured' : goal.measured >= goal.atLeast ? 'met' : '**not met**',
  ];
}

/** The goals: the queue's for each of our configurations side by side, then those of `Database`. */
export function goalsTable(run: QueueRun, policy: ResultTable, drains: number[]): string {
  const ours = OURS.filter(({ id }) => run.systems.some((spec) => spec.id === id));
  const each = ours.map(({ id }) => queueGoals(run, id, drains));
  const queueBody = (each[0] ?? []).map((goal, index) => [goal.text, ...each.flatMap((goals) => cells(goals[index]))]);
  const headers = ours.flatMap(({ label }) => [`${label}: measured (above 1: better)`, 'each round', 'status']);
  const policyBody = policyGoals(policy).map((goal) => [goal.text, ...cells(goal)]);
  return [
    ...(queueBody.length ? [table(['goal (issue 6)', ...headers], queueBody), ''] : []),
    table(['goal (issue 6)', 'measured (above 1: better)', 'each round', 'status'], policyBody),
  ].join('\n');
}
