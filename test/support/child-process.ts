import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { CHILD_BUILD_DIR_ENV } from './child-build';

/** How a child process ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A script of `test/support/child/`, running in its own Node process. */
export interface ChildHandle {
  readonly pid: number;
  /** The JSON its `CHILD-READY` line carried; rejects when it exits or times out first. */
  readonly ready: Promise<Record<string, unknown>>;
  /** Settles when the process has exited and its pipes are closed. */
  readonly exited: Promise<ChildExit>;
  /** The last lines it printed (stdout and stderr), for failure messages. */
  output(): string;
  /** Sends `signal` and waits for the exit. */
  stop(signal: NodeJS.Signals): Promise<ChildExit>;
}

const READY = 'CHILD-READY ';
/** How long a child may take to exit after `stop(signal)` before it is killed. */
const STOP_TIMEOUT_MS = 30_000;
const OUTPUT_LINES = 200;

/**
 * ChildProcesses starts the compiled child scripts with this Node binary and keeps track of them, so
 * that `closeAll()` can SIGKILL and await whatever a test left running: a live child would fail the
 * leak-checking environment, and worse, keep working on the next test's database.
 */
export class ChildProcesses {
  private readonly live = new Set<ChildHandle>();

  /** Starts `test/support/child/<script>.ts` (compiled) with `env` added to this process's environment. */
  start(script: string, env: Record<string, string>, readyTimeoutMs = 20_000): ChildHandle {
    const dir = process.env[CHILD_BUILD_DIR_ENV];
    if (!dir) throw new Error(`${CHILD_BUILD_DIR_ENV} is not set: run the tests through jest (global-setup builds the children)`);
    const child = spawn(process.execPath, [join(dir, 'test', 'support', 'child', `${script}.js`)], {
      env: { ...process.env, NODE_OPTIONS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const handle = track(child, readyTimeoutMs);
    this.live.add(handle);
    void handle.exited.then(() => this.live.delete(handle));
    return handle;
  }

  /** Children still running. */
  get running(): number {
    return this.live.size;
  }

  /** SIGKILLs every child still running and waits for each to exit. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.live].map((child) => child.stop('SIGKILL')));
  }
}

function track(child: ChildProcess, readyTimeoutMs: number): ChildHandle {
  const lines: string[] = [];
  let onReady: (info: Record<string, unknown>) => void = () => undefined;
  let onNotReady: (error: Error) => void = () => undefined;
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    onReady = resolve;
    onNotReady = reject;
  });
  // A test that never awaits `ready` (it killed the child first) must not see an unhandled rejection.
  ready.catch(() => undefined);
  const timer = setTimeout(
    () => onNotReady(new Error(`child ${child.pid} not ready after ${readyTimeoutMs} ms:\n${output()}`)),
    readyTimeoutMs,
  );
  const output = (): string => lines.join('\n');
  const collect = (prefix: string) => {
    let partial = '';
    return (chunk: Buffer): void => {
      const text = partial + chunk.toString('utf8');
      const complete = text.split('\n');
      partial = complete.pop() ?? '';
      for (const line of complete) {
        if (line.startsWith(READY)) {
          clearTimeout(timer);
          onReady(JSON.parse(line.slice(READY.length)) as Record<string, unknown>);
        }
        lines.push(`${prefix}${line}`);
        if (lines.length > OUTPUT_LINES) lines.shift();
      }
    };
  };
  child.stdout!.on('data', collect(''));
  child.stderr!.on('data', collect('[stderr] '));
  child.on('error', (error) => lines.push(`[spawn error] ${error.message}`));
  // 'close' comes after 'exit' and after both pipes closed: nothing of the child is left open then.
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      onNotReady(new Error(`child ${child.pid} exited (code ${code}, signal ${signal}) before it was ready:\n${output()}`));
      resolve({ code, signal });
    });
  });
  return {
    pid: child.pid!,
    ready,
    exited,
    output,
    stop: async (signal) => {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      // A child that does not stop in time (a drain that hangs) is killed, and the test fails saying so.
      let overdue: NodeJS.Timeout | undefined;
      const inTime = await Promise.race([
        exited.then(() => true),
        new Promise<false>((resolve) => (overdue = setTimeout(() => resolve(false), STOP_TIMEOUT_MS))),
      ]);
      clearTimeout(overdue);
      if (inTime) return exited;
      child.kill('SIGKILL');
      await exited;
      throw new Error(`child ${child.pid} did not exit within ${STOP_TIMEOUT_MS} ms of ${signal}; killed:\n${output()}`);
    },
  };
}
