import { type QueryRoute, routeStatement } from './query-route';

const ROWS: [string, QueryRoute][] = [
  ['SELECT * FROM orders WHERE id = $1', 'replica'],
  ['select count(*) from orders', 'replica'],
  ['  \n\tSELECT 1', 'replica'],
  ['-- a comment\nSELECT 1', 'replica'],
  ['/* hint */ SELECT 1', 'replica'],
  ['SELECT updated_at, for_sale FROM items', 'replica'],
  ['INSERT INTO orders (id) VALUES ($1)', 'primary'],
  ['UPDATE orders SET total = 0', 'primary'],
  ['DELETE FROM orders', 'primary'],
  ['insert into t select * from s', 'primary'],
  ['WITH gone AS (DELETE FROM t RETURNING *) SELECT * FROM gone', 'primary'],
  ['SELECT * FROM orders WHERE id = 1 FOR UPDATE', 'primary'],
  ['SELECT * FROM orders FOR NO KEY UPDATE SKIP LOCKED', 'primary'],
  ['SELECT * FROM orders FOR SHARE', 'primary'],
  ['SELECT * FROM orders FOR KEY SHARE', 'primary'],
  ['SELECT nextval($1)', 'primary'],
  ["SELECT currval('orders_id_seq')", 'primary'],
  ['SELECT pg_advisory_lock(42)', 'primary'],
  ['SELECT pg_try_advisory_xact_lock(42)', 'primary'],
  ["SELECT pg_notify('jobs', '1')", 'primary'],
  ["SELECT set_config('app.user', '1', false)", 'primary'],
  ['SELECT * INTO archive FROM orders', 'primary'],
  ['-- SELECT\nDELETE FROM t', 'primary'],
  ['/* SELECT */ UPDATE t SET a = 1', 'primary'],
  ['VACUUM orders', 'primary'],
  ['SET statement_timeout = 0', 'primary'],
  ['selection_is_not_a_keyword', 'primary'],
];

describe('routeStatement', () => {
  it.each(ROWS)('%s → %s', (sql, route) => {
    expect(routeStatement(sql)).toBe(route);
  });
});
