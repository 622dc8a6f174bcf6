import type { EmbeddedServer } from './embedded-server';

/** Stops the embedded server that global-setup started, and deletes its data. */
export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { conductorTestServer?: EmbeddedServer }).conductorTestServer;
  await server?.destroy();
}
