import { createHook } from 'node:async_hooks';
import { TestEnvironment } from 'jest-environment-node';

// Kinds of resources that keep a process alive; promises and one-shot requests are not among them.
const TRACKED = new Set([
  'Timeout',
  'Immediate',
  'TCPWRAP',
  'TCPSERVERWRAP',
  'PIPEWRAP',
  'PIPESERVERWRAP',
  'PROCESSWRAP',
  'UDPWRAP',
  'SIGNALWRAP',
  'FSEVENTWRAP',
]);
const GRACE_MS = 3_000;

interface Tracked {
  type: string;
  resource: { hasRef?: () => boolean };
  stack: string;
}

/**
 * A Node test environment that fails a test file which leaves a timer, socket, server or child process
 * open after its last hook: every background timer must be cleared and every pool closed on shutdown.
 */
export default class LeakCheckingEnvironment extends TestEnvironment {
  private readonly live = new Map<number, Tracked>();
  private readonly hook = createHook({
    init: (id, type, _trigger, resource) => {
      if (TRACKED.has(type)) {
        const stack = (new Error().stack ?? '').split('\n').slice(2, 12).join('\n');
        this.live.set(id, { type, resource: resource as Tracked['resource'], stack });
      }
    },
    destroy: (id) => {
      this.live.delete(id);
    },
  });

  override async setup(): Promise<void> {
    await super.setup();
    this.hook.enable();
  }

  override async teardown(): Promise<void> {
    const deadline = Date.now() + GRACE_MS;
    let leftovers = this.leftovers();
    while (leftovers.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50).unref());
      leftovers = this.leftovers();
    }
    this.hook.disable();
    await super.teardown();
    if (leftovers.length > 0) {
      const report = leftovers.map((h) => `- ${h.type}\n${h.stack}`).join('\n');
      throw new Error(`This test file left ${leftovers.length} open handle(s) (timer, socket, server or process):\n${report}`);
    }
  }

  private leftovers(): Tracked[] {
    return [...this.live.values()].filter((h) => {
      // Unreferenced timers and sockets do not keep the process alive.
      if (typeof h.resource.hasRef === 'function') return h.resource.hasRef();
      return true;
    });
  }
}
