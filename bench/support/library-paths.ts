import { join } from 'node:path';
import { repoRoot } from './repo-root';

/** The library's sources. */
export const librarySources = (): string => join(repoRoot(), 'libs', 'conductor', 'src');

/** The library as tsc compiled it beside the bench (dist/bench/libs/conductor/src). */
export const compiledLibrary = join(__dirname, '..', '..', 'libs', 'conductor', 'src');
