import { conductorDatabaseClient } from './conductor-database.client';
import { pgPoolClient } from './pg-pool.client';
import type { SqlClientSpec } from './sql-client.interface';
import { typeormClient } from './typeorm.client';

/** The clients of the policy-overhead measurement, floor first. */
export const sqlClients: SqlClientSpec[] = [pgPoolClient, typeormClient, conductorDatabaseClient];
