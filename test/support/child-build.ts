import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import * as ts from 'typescript';

/** The variable through which tests find the compiled child scripts. */
export const CHILD_BUILD_DIR_ENV = 'CONDUCTOR_CHILD_BUILD_DIR';

const REPO = join(__dirname, '..', '..');
// The trees a child process needs: the library itself, the sample app and the child entry points that import them.
const SOURCES = ['libs/conductor/src', 'apps/sample/src', 'test/support/child'];

const COMPILER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2023,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
  sourceMap: false,
};

/**
 * Transpiles the library and `test/support/child/` to CommonJS so that a plain `node` child process can
 * run them (jest's TypeScript transform exists only inside jest). No type check: `npm run typecheck`
 * does that. The output lives under the repository (`.build/child-<pid>/`), so `node_modules` resolves
 * from the children as it does from the sources. Returns the build directory.
 */
export function buildChildScripts(): string {
  const out = join(REPO, '.build', `child-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  for (const source of SOURCES) {
    for (const file of walk(join(REPO, source))) {
      const target = join(out, relative(REPO, file));
      mkdirSync(dirname(target), { recursive: true });
      if (file.endsWith('.sql')) {
        // The library reads its sql/ and migrations/ folders from __dirname at run time.
        copyFileSync(file, target);
      } else {
        const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
          compilerOptions: COMPILER_OPTIONS,
          fileName: file,
        });
        // The sample imports the library by its package name, which only the tsconfig paths resolve.
        const library = relative(dirname(target), join(out, 'libs/conductor/src')).replaceAll('\\', '/');
        writeFileSync(
          target.replace(/\.ts$/, '.js'),
          outputText.replaceAll('require("@conductor/nestjs")', `require("${library}")`),
        );
      }
    }
  }
  return out;
}

/** Deletes a build made by `buildChildScripts`. */
export function removeChildScripts(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Every `.ts` (not a spec, not a declaration) and `.sql` file under `dir`. */
function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.name.endsWith('.sql')) yield path;
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}
