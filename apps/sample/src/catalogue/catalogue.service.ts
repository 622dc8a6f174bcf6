import { Injectable } from '@nestjs/common';
import { type Database, InjectDatabase } from '@conductor/nestjs';
import { Db } from '../database-keys';
import type { Product } from './product.model';

const COLUMNS = 'sku, name, price_cents AS "priceCents"';

/** CatalogueService reads and writes the product catalogue in the reference database. */
@Injectable()
export class CatalogueService {
  constructor(@InjectDatabase(Db.Reference) private readonly db: Database) {}

  /** Every product, by SKU. */
  list(): Promise<Product[]> {
    return this.db.query<Product>(`SELECT ${COLUMNS} FROM products ORDER BY sku`);
  }

  /** The product of `sku`, or undefined when the catalogue does not have it. */
  async find(sku: string, signal?: AbortSignal): Promise<Product | undefined> {
    const [product] = await this.db.query<Product>(`SELECT ${COLUMNS} FROM products WHERE sku = $1`, [sku], { signal });
    return product;
  }

  /** Adds a product, or replaces its name and price. */
  async upsert(product: Product): Promise<Product> {
    const [saved] = await this.db.query<Product>(
      `INSERT INTO products (sku, name, price_cents) VALUES ($1, $2, $3)
       ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price_cents = excluded.price_cents
       RETURNING ${COLUMNS}`,
      [product.sku, product.name, product.priceCents],
      // Safe to run twice: the second run writes the same row.
      { idempotent: true },
    );
    return saved;
  }
}
