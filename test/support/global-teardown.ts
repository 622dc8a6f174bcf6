import type { EmbeddedServer } from './embedded-server';
import { CHILD_BUILD_DIR_ENV, removeChildScripts } from './child-build';

/** Stops the embedded server that global-setup started, and deletes its data. */
export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { conductorTestServer?: EmbeddedServer }).conductorTestServer;
  await server?.destroy();
  removeChildScripts(process.env[CHILD_BUILD_DIR_ENV]);
}
