import './support/register-alias';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildReply, ChildTask } from './child-protocol';
import type { SqlClient } from './clients/sql-client.interface';
import { sqlClients } from './clients/sql-clients';
import { type BenchSettings, readSettings } from './support/bench-settings';
import { queueSystems } from './systems/queue-systems';
import type { Metrics } from './workloads/metrics';
import { queueCases } from './workloads/queue-cases';
import { selectOne } from './workloads/select-one.workload';

// A child measures one thing in a process of its own, so no system shares memory, handles or JIT state.
const CLOSE_TIMEOUT_MS = 15_000;

async function runQueue(task: Extract<ChildTask, { kind: 'queue' }>, s: BenchSettings): Promise<Metrics> {
  const spec = find(queueSystems, task.system);
  const workload = find(queueCases(s), task.case);
  const system = await spec.create(task.url);
  try {
    return await workload.run(system, s);
  } finally {
    await Promise.race([system.close(), sleep(CLOSE_TIMEOUT_MS)]);
  }
}

async function runPolicy(task: Extract<ChildTask, { kind: 'policy' }>, s: BenchSettings): Promise<Record<string, Metrics>> {
  // Every client in this one process, taking turns (see select-one.workload.ts).
  const clients = new Map<string, SqlClient>();
  try {
    for (const spec of sqlClients) clients.set(spec.id, await spec.create(task.url, Math.max(...s.policyConcurrencies)));
    return await selectOne(clients, s, task.concurrency);
  } finally {
    for (const client of clients.values()) await client.close();
  }
}

function find<T extends { id: string }>(items: T[], id: string): T {
  const item = items.find((candidate) => candidate.id === id);
  if (!item) throw new Error(`unknown id "${id}"; known: ${items.map((i) => i.id).join(', ')}`);
  return item;
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? '{}') as ChildTask;
  const settings = readSettings();
  let reply: ChildReply;
  try {
    reply =
      task.kind === 'queue'
        ? { ok: true, metrics: await runQueue(task, settings) }
        : { ok: true, byClient: await runPolicy(task, settings) };
  } catch (error) {
    reply = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  // Exit at once: some systems leave timers behind after close, and the parent waits for the exit.
  process.send?.(reply, () => process.exit(0));
}

void main();
