import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** A statement ready to run: its text for one schema and a stable prepared-statement name. */
export interface Statement {
  name: string;
  text: string;
}

/** Quotes an identifier for PostgreSQL: `my"schema` becomes `"my""schema"`. */
export function quoteIdent(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** Quotes a string literal for PostgreSQL: `it's` becomes `'it''s'`. */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Puts the schema into SQL written with psql-style placeholders: `:"schema"` becomes the quoted schema
 * identifier and `:'lease_seq'` the quoted literal naming the lease sequence. The schema name is never
 * interpolated any other way.
 */
export function bindSchema(sql: string, schema: string): string {
  const ident = quoteIdent(schema);
  return sql.replace(/:"schema"/g, ident).replace(/:'lease_seq'/g, quoteLiteral(`${ident}.lease_seq`));
}

/**
 * SqlCatalog reads this folder's `.sql` files once and binds them to one schema. Each statement gets a
 * prepared-statement name unique to its text, so the server parses and plans it once per connection.
 */
export class SqlCatalog {
  private readonly statements = new Map<string, Statement>();

  constructor(schema: string, directory: string = __dirname) {
    for (const file of readdirSync(directory).filter((f) => f.endsWith('.sql'))) {
      const text = bindSchema(readFileSync(join(directory, file), 'utf8'), schema);
      const hash = createHash('sha1').update(text).digest('hex').slice(0, 10);
      const base = file.replace(/\.sql$/, '').replace(/-/g, '_');
      this.statements.set(base, { name: `conductor_${base}_${hash}`, text });
    }
  }

  /** The statement of `<name>.sql` (dashes as underscores); throws when there is no such file. */
  get(name: string): Statement {
    const statement = this.statements.get(name);
    if (!statement) throw new Error(`Conductor: no SQL file "${name.replace(/_/g, '-')}.sql" in the queue's sql folder`);
    return statement;
  }
}
