import { Inject, Injectable } from '@nestjs/common';
import { Task } from '@conductor/nestjs';
import type { BenchHandler, BenchPayload } from '../queue-system.interface';

/** Token of the handler the benchmark counts with. */
export const BENCH_HANDLER = Symbol('BENCH_HANDLER');

/** The task every Conductor benchmark job runs. */
export const BENCH_TASK = 'bench.noop';

/** BenchTasks holds the benchmark's no-op task. */
@Injectable()
export class BenchTasks {
  constructor(@Inject(BENCH_HANDLER) private readonly handler: BenchHandler) {}

  @Task(BENCH_TASK)
  async noop(payload: BenchPayload): Promise<void> {
    this.handler(payload);
  }
}
