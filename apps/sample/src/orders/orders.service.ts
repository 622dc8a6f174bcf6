import { Injectable } from '@nestjs/common';
import { type Database, InjectDatabase, QueueService } from '@conductor/nestjs';
import { type ConfirmationPayload, SEND_CONFIRMATION } from '../confirmations/confirmation.payload';
import { Db } from '../database-keys';
import type { Order, PlaceOrder } from './order.model';

const COLUMNS = 'id, sku, quantity, email, status, execution_id AS "executionId", created_at AS "createdAt"';

/** OrdersService writes and reads orders in the main database. */
@Injectable()
export class OrdersService {
  constructor(
    @InjectDatabase(Db.Main) private readonly db: Database,
    private readonly queue: QueueService,
  ) {}

  /**
   * Stores the order and enqueues its confirmation in one transaction: the confirmation job exists
   * if and only if the order does.
   */
  place(order: PlaceOrder): Promise<Order> {
    return this.db.transaction(async (tx) => {
      const [{ id }] = await tx.query<{ id: number }>(
        'INSERT INTO orders (sku, quantity, email) VALUES ($1, $2, $3) RETURNING id',
        [order.sku, order.quantity, order.email],
      );
      // invoke joins the transaction: it runs on the same connection, inside the same BEGIN/COMMIT.
      const job = await this.queue.invoke<ConfirmationPayload>(SEND_CONFIRMATION, { orderId: id });
      const [placed] = await tx.query<Order>(`UPDATE orders SET execution_id = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [
        id,
        job.id,
      ]);
      return placed;
    });
  }

  /** The order `id`, or undefined. */
  async find(id: number, signal?: AbortSignal): Promise<Order | undefined> {
    const [order] = await this.db.query<Order>(`SELECT ${COLUMNS} FROM orders WHERE id = $1`, [id], { signal });
    return order;
  }
}
