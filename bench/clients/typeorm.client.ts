import { DataSource } from 'typeorm';
import type { SqlClientSpec } from './sql-client.interface';

/** A bare TypeORM DataSource (`dataSource.query`): what `@nestjs/typeorm` users have today. */
export const typeormClient: SqlClientSpec = {
  id: 'typeorm',
  label: 'TypeORM DataSource',
  create: async (url, poolMax) => {
    const dataSource = await new DataSource({ type: 'postgres', url, poolSize: poolMax }).initialize();
    return { selectOne: () => dataSource.query('SELECT 1'), close: () => dataSource.destroy() };
  },
};
