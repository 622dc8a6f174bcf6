-- The reference database: the product catalogue, seeded once.
CREATE TABLE IF NOT EXISTS products (
  sku         text    PRIMARY KEY,
  name        text    NOT NULL,
  price_cents integer NOT NULL CHECK (price_cents >= 0)
);

INSERT INTO products (sku, name, price_cents) VALUES
  ('tea-earl-grey', 'Earl Grey, loose leaf, 100 g', 650),
  ('coffee-beans', 'Coffee beans, medium roast, 250 g', 1190),
  ('mug', 'Stoneware mug, 350 ml', 1450)
ON CONFLICT (sku) DO NOTHING;
