import { Controller, Get, Res } from '@nestjs/common';
import { ConductorMetrics } from '@conductor/nestjs';

/** `GET /metrics`: Conductor's series in the Prometheus text format. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ConductorMetrics) {}

  @Get()
  async scrape(@Res({ passthrough: true }) res: { setHeader(name: string, value: string): void }): Promise<string> {
    res.setHeader('Content-Type', this.metrics.contentType);
    return this.metrics.metrics();
  }
}
