import { Body, Controller, Get, NotFoundException, Param, ParseIntPipe, Post } from '@nestjs/common';
import { type Execution, QueueService } from '@conductor/nestjs';
import type { Confirmation } from '../confirmations/confirmation.model';
import type { ConfirmationPayload, ConfirmationResult } from '../confirmations/confirmation.payload';
import { ConfirmationsRepository } from '../confirmations/confirmations.repository';
import type { Order } from './order.model';
import { OrdersService } from './orders.service';
import { parsePlaceOrder } from './parse-place-order';

/** The job of an order, as `GET /orders/:id` shows it. */
type JobView = Pick<
  Execution<ConfirmationPayload, ConfirmationResult>,
  'id' | 'task' | 'state' | 'attempts' | 'maxAttempts' | 'result' | 'errors'
>;

/** `POST /orders` and `GET /orders/:id`. */
@Controller('orders')
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly confirmations: ConfirmationsRepository,
    private readonly queue: QueueService,
  ) {}

  @Post()
  async place(@Body() body: unknown): Promise<{ order: Order }> {
    return { order: await this.orders.place(parsePlaceOrder(body)) };
  }

  @Get(':id')
  async show(@Param('id', ParseIntPipe) id: number): Promise<{ order: Order; job?: JobView; confirmations: Confirmation[] }> {
    const order = await this.orders.find(id);
    if (!order) throw new NotFoundException(`order ${id} does not exist`);
    const [execution, confirmations] = await Promise.all([
      this.queue.get<ConfirmationPayload, ConfirmationResult>(order.executionId),
      this.confirmations.forOrder(id),
    ]);
    const job = execution && {
      id: execution.id,
      task: execution.task,
      state: execution.state,
      attempts: execution.attempts,
      maxAttempts: execution.maxAttempts,
      result: execution.result,
      errors: execution.errors,
    };
    return { order, job, confirmations };
  }
}
