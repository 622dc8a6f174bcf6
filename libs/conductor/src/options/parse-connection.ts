import { parse } from 'pg-connection-string';
import type { ConnectionOptions } from 'node:tls';
import type { DatabaseOptions } from './conductor-options.interface';
import { InvalidOptionsError } from './invalid-options.error';
import type { ResolvedConnection } from './resolved-options.interface';

/** Parses a `postgres://` URL, naming `option` when it is malformed. */
export function parseConnectionUrl(url: string, option: string): ResolvedConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidOptionsError(option, `not a valid URL (expected postgres://user:password@host:port/database)`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new InvalidOptionsError(option, `expected a postgres:// or postgresql:// URL, got "${parsed.protocol}//…"`);
  }
  if (!parsed.hostname) throw new InvalidOptionsError(option, 'the URL has no host');
  const port = parsed.port === '' ? 5432 : Number(parsed.port);
  if (port < 1 || port > 65_535) throw new InvalidOptionsError(option, `the URL's port must be between 1 and 65535, got ${port}`);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) throw new InvalidOptionsError(option, 'the URL names no database (…/database)');
  const fields = parse(url);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port,
    user: decodeURIComponent(parsed.username) || 'postgres',
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    database,
    ssl: normalizeSsl(fields.ssl as DatabaseOptions['ssl'] | string | undefined, option),
  };
}

/** Builds a connection from `host`/`port`/`user`/`password`/`database` options. */
export function connectionFromParts(options: DatabaseOptions, name: (path: string) => string): ResolvedConnection {
  if (!options.host) throw new InvalidOptionsError(name('url'), 'missing: give `url`, or `host` and `database`');
  if (!options.database) throw new InvalidOptionsError(name('database'), 'missing: the database name is required');
  return {
    host: options.host,
    port: options.port ?? 5432,
    user: options.user ?? 'postgres',
    password: options.password,
    database: options.database,
    ssl: false,
  };
}

/** Turns the `ssl` option (or a URL's sslmode) into node TLS options, or false. */
export function normalizeSsl(value: DatabaseOptions['ssl'] | string | undefined, option: string): false | ConnectionOptions {
  if (value === undefined || value === false || value === 'false' || value === 'disable') return false;
  if (value === true || value === 'true' || value === 'require' || value === 'verify-full' || value === 'verify-ca') {
    return {};
  }
  if (value === 'no-verify' || value === 'prefer' || value === 'allow') return { rejectUnauthorized: false };
  if (typeof value === 'object' && value !== null) return value;
  throw new InvalidOptionsError(option, `expected true, false, 'no-verify' or TLS options, got ${JSON.stringify(value)}`);
}
