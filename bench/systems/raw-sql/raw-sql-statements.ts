import { readSql } from '../../support/read-sql';

const read = (name: string): string => readSql('systems', 'raw-sql', `${name}.sql`);

/** The raw queue's statements, each from its own file. */
export const rawSql = {
  schema: read('schema'),
  insert: read('insert'),
  insertBatch: read('insert-batch'),
  fetch: read('fetch'),
  complete: read('complete'),
  pending: read('pending'),
};
