import { BadRequestException } from '@nestjs/common';
import type { PlaceOrder } from './order.model';

/** Checks the body of `POST /orders`; a 400 names the first bad field. */
export function parsePlaceOrder(body: unknown): PlaceOrder {
  const { sku, quantity, email } = (body ?? {}) as Record<string, unknown>;
  if (typeof sku !== 'string' || sku.length === 0) throw new BadRequestException('sku: a non-empty string');
  if (!Number.isInteger(quantity) || (quantity as number) < 1) throw new BadRequestException('quantity: a positive integer');
  if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(email)) throw new BadRequestException('email: an e-mail address');
  return { sku, quantity: quantity as number, email };
}
