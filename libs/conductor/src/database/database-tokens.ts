import { Inject } from '@nestjs/common';

/** The injection token of the `Database` of one key. */
export function getDatabaseToken(key: string): string {
  return `ConductorDatabase:${key}`;
}

/** Injects the `Database` of `key`: `@InjectDatabase(Db.Main) private readonly db: Database`. */
export function InjectDatabase(key: string): ParameterDecorator & PropertyDecorator {
  return Inject(getDatabaseToken(key));
}

/** Token of the validated module options. */
export const RESOLVED_OPTIONS = Symbol('ConductorResolvedOptions');
