import { Pool } from 'pg';
import type { SqlClientSpec } from './sql-client.interface';

/** A bare `pg` Pool: the floor. */
export const pgPoolClient: SqlClientSpec = {
  id: 'pg-pool',
  label: 'pg Pool',
  create: async (url, poolMax) => {
    const pool = new Pool({ connectionString: url, max: poolMax });
    return { selectOne: () => pool.query('SELECT 1'), close: () => pool.end() };
  },
};
