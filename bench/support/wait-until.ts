import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `check` every `everyMs` until it returns true or `deadline` (a `performance.now()` time) passes. */
export async function waitUntil(check: () => boolean | Promise<boolean>, deadline: number, everyMs = 10): Promise<boolean> {
  while (performance.now() < deadline) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  return check();
}
