import { Test, type TestingModule } from '@nestjs/testing';
import type { LoggerService, ModuleMetadata } from '@nestjs/common';
import { ConductorModule, type ConductorModuleOptions } from '@conductor/nestjs';

/**
 * Compiles and initializes a Nest module with Conductor configured by `options`; close it with `app.close()`.
 * Pass `logger` (e.g. `CapturedLogs`) to assert on what Conductor logs.
 */
export async function startConductor(
  options: ConductorModuleOptions,
  extra: ModuleMetadata = {},
  logger: LoggerService = quietLogger,
): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    ...extra,
    imports: [ConductorModule.forRoot(options), ...(extra.imports ?? [])],
  })
    .setLogger(logger)
    .compile();
  moduleRef.enableShutdownHooks?.();
  return moduleRef.init();
}

/** Collects log lines instead of printing them, so tests can assert on them. */
export class CapturedLogs {
  readonly lines: { level: string; message: string }[] = [];
  log = (message: unknown): void => void this.lines.push({ level: 'log', message: String(message) });
  warn = (message: unknown): void => void this.lines.push({ level: 'warn', message: String(message) });
  error = (message: unknown): void => void this.lines.push({ level: 'error', message: String(message) });
  debug = (): void => undefined;
  verbose = (): void => undefined;
  fatal = (message: unknown): void => void this.lines.push({ level: 'fatal', message: String(message) });

  matching(pattern: RegExp): string[] {
    return this.lines.filter((l) => pattern.test(l.message)).map((l) => l.message);
  }
}

/** The logger tests use by default: errors only, to keep the output readable. */
export const quietLogger = {
  log: (): void => undefined,
  warn: (): void => undefined,
  error: (): void => undefined,
  debug: (): void => undefined,
  verbose: (): void => undefined,
  fatal: (): void => undefined,
};
