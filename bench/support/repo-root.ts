import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository's root: the nearest folder above this file that holds `bench/tsconfig.json`. */
export function repoRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'bench', 'tsconfig.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no bench/tsconfig.json above ${from}`);
    dir = parent;
  }
  return dir;
}
