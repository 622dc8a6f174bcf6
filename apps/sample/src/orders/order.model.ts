/** An order, kept in the main database. */
export interface Order {
  id: number;
  sku: string;
  quantity: number;
  email: string;
  /** `pending` until its confirmation is sent, then `confirmed`. */
  status: 'pending' | 'confirmed';
  /** The `send-confirmation` execution created with the order. */
  executionId: string;
  createdAt: Date;
}

/** What `POST /orders` takes. */
export interface PlaceOrder {
  sku: string;
  quantity: number;
  email: string;
}
