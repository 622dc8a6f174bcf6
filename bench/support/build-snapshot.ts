import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** A private copy of the compiled bench that this run's children load. */
export interface BuildSnapshot {
  childEntry: string;
  remove(): void;
}

/**
 * Copies dist/bench to dist/bench-run-<pid>: others working in the same tree may rebuild dist/bench in
 * the middle of a run, and a child must never load half of one build and half of another.
 */
export function snapshotBuild(): BuildSnapshot {
  const build = join(__dirname, '..', '..');
  const copy = join(build, '..', `bench-run-${process.pid}`);
  cpSync(build, copy, { recursive: true });
  return { childEntry: join(copy, 'bench', 'child-main.js'), remove: () => rmSync(copy, { recursive: true, force: true }) };
}
