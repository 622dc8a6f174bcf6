import type { DynamicModule, Provider } from '@nestjs/common';

/** The queue's providers, imports and exports. */
export function queueProviders(): { providers: Provider[]; imports: DynamicModule[]; exports: Provider[] } {
  return { providers: [], imports: [], exports: [] };
}
