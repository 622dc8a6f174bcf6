import { BadRequestException, Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { QueueService, type QueueStats, type ReplayFilter, isInvalidInvokeError } from '@conductor/nestjs';
import { SEND_CONFIRMATION } from '../confirmations/confirmation.payload';

/** `GET /admin/queue` (counts) and `POST /admin/dead/replay` (dead executions back to the queue). */
@Controller('admin')
export class AdminController {
  constructor(private readonly queue: QueueService) {}

  @Get('queue')
  stats(): Promise<QueueStats> {
    return this.queue.stats();
  }

  /** Body `{ "ids": [...] }` or `{ "task": "..." }`; empty replays every dead `send-confirmation`. */
  @Post('dead/replay')
  @HttpCode(200)
  async replay(@Body() body: { ids?: unknown; task?: unknown } = {}): Promise<{ replayed: number }> {
    const filter: ReplayFilter = {};
    if (body?.ids !== undefined) {
      if (!Array.isArray(body.ids) || body.ids.some((id) => typeof id !== 'string'))
        throw new BadRequestException('ids: an array of execution ids');
      filter.ids = body.ids as string[];
    }
    if (body?.task !== undefined) {
      if (typeof body.task !== 'string') throw new BadRequestException('task: a task name');
      filter.task = body.task;
    }
    if (filter.ids === undefined && filter.task === undefined) filter.task = SEND_CONFIRMATION;
    try {
      return { replayed: await this.queue.replay(filter) };
    } catch (error) {
      if (isInvalidInvokeError(error)) throw new BadRequestException(error.message);
      throw error;
    }
  }
}
