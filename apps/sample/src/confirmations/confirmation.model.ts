/** One confirmation e-mail sent, as recorded in the main database. */
export interface Confirmation {
  id: number;
  orderId: number;
  executionId: string;
  attempt: number;
  sentBy: string;
  totalCents: number;
  sentAt: Date;
}
