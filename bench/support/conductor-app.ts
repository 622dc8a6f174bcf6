import 'reflect-metadata';
import { type DynamicModule, type INestApplicationContext, Module, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConductorModule, type ConductorModuleOptions } from '@conductor/nestjs';

@Module({})
class BenchConductorModule {}

/** A Nest application context with Conductor configured by `options`, plus the given providers. */
export function createConductorApp(
  options: ConductorModuleOptions,
  providers: Provider[] = [],
): Promise<INestApplicationContext> {
  const module: DynamicModule = { module: BenchConductorModule, imports: [ConductorModule.forRoot(options)], providers };
  return NestFactory.createApplicationContext(module, { logger: ['error', 'warn'] });
}
