import { Injectable } from '@nestjs/common';
import { type Database, InjectDatabase } from '@conductor/nestjs';
import { Db } from '../database-keys';
import type { Confirmation } from './confirmation.model';

const COLUMNS = `id, order_id AS "orderId", execution_id AS "executionId", attempt, sent_by AS "sentBy",
  total_cents AS "totalCents", sent_at AS "sentAt"`;

/** ConfirmationsRepository records sent confirmations in the main database. */
@Injectable()
export class ConfirmationsRepository {
  constructor(@InjectDatabase(Db.Main) private readonly db: Database) {}

  /** Records a sent confirmation and marks its order confirmed, together. */
  record(confirmation: Omit<Confirmation, 'id' | 'sentAt'>, signal?: AbortSignal): Promise<void> {
    return this.db.transaction(
      async (tx) => {
        await tx.query(
          'INSERT INTO confirmations (order_id, execution_id, attempt, sent_by, total_cents) VALUES ($1, $2, $3, $4, $5)',
          [confirmation.orderId, confirmation.executionId, confirmation.attempt, confirmation.sentBy, confirmation.totalCents],
        );
        await tx.query(`UPDATE orders SET status = 'confirmed' WHERE id = $1`, [confirmation.orderId]);
      },
      { signal },
    );
  }

  /** The confirmations sent for an order (one, unless something went wrong). */
  forOrder(orderId: number): Promise<Confirmation[]> {
    return this.db.query<Confirmation>(`SELECT ${COLUMNS} FROM confirmations WHERE order_id = $1 ORDER BY id`, [orderId]);
  }
}
