import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** One numbered migration: `0001_queue.sql`, breaking when its first lines say `--! breaking`. */
export interface Migration {
  version: number;
  name: string;
  breaking: boolean;
  /** SQL with the `:"schema"` placeholder, bound to a schema when it runs. */
  sql: string;
}

/** Reads the numbered `.sql` migrations of `directory`, in order; a gap or a duplicate number is an error. */
export function readMigrations(directory: string = __dirname): Migration[] {
  const migrations = readdirSync(directory)
    .filter((file) => /^\d{4}_[\w-]+\.sql$/.test(file))
    .sort()
    .map((file): Migration => {
      const sql = readFileSync(join(directory, file), 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.replace(/\.sql$/, ''),
        breaking: /^--!\s*breaking/m.test(sql.split('\n').slice(0, 5).join('\n')),
        sql,
      };
    });
  migrations.forEach((migration, index) => {
    if (migration.version !== index) {
      throw new Error(
        `Conductor: migration ${migration.name} should be numbered ${String(index).padStart(4, '0')} (no gaps, no duplicates)`,
      );
    }
  });
  return migrations;
}
