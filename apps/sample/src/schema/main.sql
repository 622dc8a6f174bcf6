-- The main database: orders and the confirmations sent for them.
CREATE TABLE IF NOT EXISTS orders (
  id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sku          text        NOT NULL,
  quantity     integer     NOT NULL CHECK (quantity > 0),
  email        text        NOT NULL,
  status       text        NOT NULL DEFAULT 'pending',
  execution_id uuid,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- One row per e-mail sent: no unique key on purpose, so a confirmation sent twice would show.
CREATE TABLE IF NOT EXISTS confirmations (
  id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id     integer     NOT NULL REFERENCES orders (id),
  execution_id uuid        NOT NULL,
  attempt      integer     NOT NULL,
  sent_by      text        NOT NULL,
  total_cents  integer     NOT NULL,
  sent_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS confirmations_order_id ON confirmations (order_id);
