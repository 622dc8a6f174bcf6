import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../apps/sample/src/embedded-postgres';

/** A throw-away embedded server: stops and deletes its data on `destroy()`. */
export interface EmbeddedServer extends EmbeddedPostgres {
  /** The cluster's data directory (its `postmaster.pid` names the running postmaster). */
  dataDir: string;
  destroy(): Promise<void>;
}

/** Initialises and starts a cluster in a fresh temporary directory, on `port` or a free one. */
export async function startEmbeddedServer(
  options: { flags?: string[]; quiet?: boolean; port?: number } = {},
): Promise<EmbeddedServer> {
  const dir = mkdtempSync(join(tmpdir(), 'conductor-pg-'));
  const server = await startEmbeddedPostgres({
    dir,
    port: options.port,
    flags: options.flags,
    onError: options.quiet ? () => undefined : undefined,
  });
  return {
    ...server,
    dataDir: join(dir, 'data'),
    destroy: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
