import { Controller, Get } from '@nestjs/common';
import { DatabaseRegistry } from '@conductor/nestjs';

/** A minimal health endpoint: each database's connection state and breaker. */
@Controller('health')
export class HealthController {
  constructor(private readonly databases: DatabaseRegistry) {}

  @Get()
  health(): Record<string, { state: string; breaker: string }> {
    return Object.fromEntries(this.databases.all().map((db) => [db.key, { state: db.stats().state, breaker: db.stats().breaker }]));
  }
}
