import { fork } from 'node:child_process';
import type { ChildReply, ChildTask } from '../child-protocol';

/** Runs one task in a fresh Node process (the same binary as this one) from `entry`, and returns its reply. */
export function runChild(entry: string, task: ChildTask, timeoutMs: number): Promise<ChildReply> {
  return new Promise((resolve) => {
    const child = fork(entry, [JSON.stringify(task)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // BENCH_CHILD_ARGS passes Node flags to the measured processes, e.g. `--cpu-prof` to profile them.
      execArgv: process.env.BENCH_CHILD_ARGS ? process.env.BENCH_CHILD_ARGS.split(' ') : [],
    });
    let reply: ChildReply | undefined;
    const timer = setTimeout(() => {
      reply ??= { ok: false, error: `no answer within ${timeoutMs} ms` };
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('message', (message) => (reply ??= message as ChildReply));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(reply ?? { ok: false, error: `child exited with ${signal ?? code} and no answer` });
    });
  });
}
