import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult, MemoryHealthIndicator } from '@nestjs/terminus';
import { DatabaseHealthIndicator, QueueHealthIndicator } from '@conductor/nestjs';
import { Db } from '../database-keys';

const HEAP_LIMIT_BYTES = 1024 * 1024 * 1024;

/**
 * `GET /health/ready`: every database and the queue; 503 when one is down or the app shuts down.
 * `GET /health/live`: the process only, so a database outage never gets the process restarted.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly databases: DatabaseHealthIndicator,
    private readonly queue: QueueHealthIndicator,
    private readonly memory: MemoryHealthIndicator,
  ) {}

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      ...Object.values(Db).map((key) => () => this.databases.check(key, { timeoutMs: 1_000 })),
      () => this.queue.check({ degradedWhen: { ready: 1_000, oldestReadyAgeMs: 60_000, dead: 1 } }),
    ]);
  }

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([() => this.memory.checkHeap('heap', HEAP_LIMIT_BYTES)]);
  }
}
