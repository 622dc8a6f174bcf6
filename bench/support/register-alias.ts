import Module from 'node:module';
import { join } from 'node:path';
import { compiledLibrary } from './library-paths';

// NOTE: tsc keeps `@conductor/nestjs` as written; this maps it to the library compiled beside the bench
// (dist/bench/libs/conductor/src), as the tsconfig path and the jest mapping do elsewhere.
const libraryRoot = compiledLibrary;
const alias = '@conductor/nestjs';
const loader = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolve = loader._resolveFilename;

loader._resolveFilename = function (request: string, ...rest: unknown[]): string {
  if (request === alias) return resolve.call(this, libraryRoot, ...rest);
  if (request.startsWith(`${alias}/`)) return resolve.call(this, join(libraryRoot, request.slice(alias.length + 1)), ...rest);
  return resolve.call(this, request, ...rest);
};
