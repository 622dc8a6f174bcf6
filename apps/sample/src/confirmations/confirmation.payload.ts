/** The task that e-mails an order's confirmation. */
export const SEND_CONFIRMATION = 'send-confirmation';

/** What `send-confirmation` gets: the order to confirm. */
export interface ConfirmationPayload {
  orderId: number;
}

/** What `send-confirmation` returns; it is kept as the execution's result. */
export interface ConfirmationResult {
  totalCents: number;
  sentBy: string;
}
