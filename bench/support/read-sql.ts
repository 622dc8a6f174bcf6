import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo-root';

/** Reads a .sql file of the bench from the source tree (tsc does not copy them). */
export function readSql(...segments: string[]): string {
  return readFileSync(join(repoRoot(), 'bench', ...segments), 'utf8');
}
