import { type Database, getDatabaseToken } from '@conductor/nestjs';
import { createConductorApp } from '../support/conductor-app';
import type { SqlClientSpec } from './sql-client.interface';

/** Conductor's `Database.query`: the same pool behind timeout, retry, breaker and bulkhead. */
export const conductorDatabaseClient: SqlClientSpec = {
  id: 'conductor-database',
  label: 'Conductor Database',
  create: async (url, poolMax) => {
    const app = await createConductorApp({ databases: { main: { url, pool: { max: poolMax } } } });
    const db = app.get<Database>(getDatabaseToken('main'));
    return { selectOne: () => db.query('SELECT 1'), close: () => app.close() };
  },
};
