import { type ConductorModuleOptions, databasesFromEnv } from '@conductor/nestjs';
import { Db } from '../database-keys';
import type { SampleSettings } from './sample-settings';

/** Conductor's options: both databases from `CONDUCTOR_<KEY>_*`, the queue in the main database. */
export function conductorOptions(settings: SampleSettings): ConductorModuleOptions<Db> {
  return {
    databases: databasesFromEnv(Db, settings.env),
    resilience: settings.resilience,
    queue: { database: Db.Main, concurrency: 10, ...settings.queue },
  };
}
