import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compiledLibrary, librarySources } from './library-paths';

/**
 * Copies the library's .sql files next to its compiled code, where it reads them (tsc copies only .ts),
 * and deletes the compiled folder's .sql files that the sources no longer have: a migration removed to
 * compare two builds must not keep running from an earlier copy.
 */
export function copyLibraryAssets(): void {
  for (const file of sqlFiles(compiledLibrary)) {
    if (!existsSync(join(librarySources(), relative(compiledLibrary, file)))) rmSync(file);
  }
  cpSync(librarySources(), compiledLibrary, {
    recursive: true,
    filter: (path) => path.endsWith('.sql') || statSync(path).isDirectory(),
  });
}

/** The .sql files under `directory`, at any depth (none when it does not exist yet). */
function sqlFiles(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .map((name) => join(directory, name))
    .filter((path) => path.endsWith('.sql'));
}
