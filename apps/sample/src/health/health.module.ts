import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';

/** The health endpoints; `shutdownDelayMs` keeps answering 503 on SIGTERM for that long before the drain. */
@Module({})
export class HealthModule {
  static forRoot(shutdownDelayMs = 0): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ gracefulShutdownTimeoutMs: shutdownDelayMs, errorLogStyle: 'pretty' })],
      controllers: [HealthController],
    };
  }
}
