import { Inject, Injectable } from '@nestjs/common';
import { PermanentTaskError, Task, type TaskContext } from '@conductor/nestjs';
import { CatalogueService } from '../catalogue/catalogue.service';
import type { SampleSettings } from '../config/sample-settings';
import { SAMPLE_SETTINGS } from '../config/sample-settings.token';
import { OrdersService } from '../orders/orders.service';
import { type ConfirmationPayload, type ConfirmationResult, SEND_CONFIRMATION } from './confirmation.payload';
import { ConfirmationsRepository } from './confirmations.repository';
import { MailGateway } from './mail-gateway';

/**
 * ConfirmationTasks holds the queue's handlers. `send-confirmation` prices the order from the
 * catalogue (reference database), e-mails it and records it (main database). It fails when the
 * mail server times out (retried) or when the product is not in the catalogue (dead after 3 attempts,
 * until the product is added and the execution replayed).
 */
@Injectable()
export class ConfirmationTasks {
  private readonly instance: string;

  constructor(
    private readonly orders: OrdersService,
    private readonly catalogue: CatalogueService,
    private readonly mail: MailGateway,
    private readonly confirmations: ConfirmationsRepository,
    @Inject(SAMPLE_SETTINGS) settings: SampleSettings,
  ) {
    this.instance = settings.instance ?? `pid-${process.pid}`;
  }

  @Task(SEND_CONFIRMATION, { maxAttempts: 3, timeoutMs: 10_000 })
  async sendConfirmation(payload: ConfirmationPayload, ctx: TaskContext): Promise<ConfirmationResult> {
    const order = await this.orders.find(payload.orderId, ctx.signal);
    if (!order) throw new PermanentTaskError(`order ${payload.orderId} does not exist`);
    const product = await this.catalogue.find(order.sku, ctx.signal);
    if (!product)
      throw new Error(`product "${order.sku}" is not in the catalogue: add it (PUT /products/${order.sku}), then replay`);
    const totalCents = product.priceCents * order.quantity;
    const subject = `Order ${order.id}: ${order.quantity} x ${product.name}`;
    await this.mail.send({ to: order.email, subject, attempt: ctx.attempt }, ctx.signal);
    await this.confirmations.record(
      { orderId: order.id, executionId: ctx.id, attempt: ctx.attempt, sentBy: this.instance, totalCents },
      ctx.signal,
    );
    return { totalCents, sentBy: this.instance };
  }
}
