import { cpSync, statSync } from 'node:fs';
import { compiledLibrary, librarySources } from './library-paths';

/** Copies the library's .sql files next to its compiled code, where it reads them (tsc copies only .ts). */
export function copyLibraryAssets(): void {
  cpSync(librarySources(), compiledLibrary, {
    recursive: true,
    filter: (path) => path.endsWith('.sql') || statSync(path).isDirectory(),
  });
}
