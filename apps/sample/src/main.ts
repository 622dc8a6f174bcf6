import { bootstrap } from './bootstrap';

const ROUTES = [
  ['POST', '/orders', '{"sku":"tea-earl-grey","quantity":2,"email":"ada@example.com"}'],
  ['GET', '/orders/:id', 'the order, its send-confirmation job and the e-mails sent'],
  ['GET', '/products', 'the catalogue (reference database); PUT /products/:sku adds one'],
  ['GET', '/admin/queue', 'queue counts; POST /admin/dead/replay requeues the dead jobs'],
  ['GET', '/health/ready', 'every database and the queue (503 when one is down)'],
  ['GET', '/health/live', 'the process only'],
  ['GET', '/metrics', 'Prometheus text'],
];

void bootstrap().then(
  ({ port, embedded }) => {
    const base = `http://localhost:${port}`;
    console.log(`Conductor sample listening on ${base}`);
    for (const [method, path, what] of ROUTES) console.log(`  ${method.padEnd(4)} ${(base + path).padEnd(36)} ${what}`);
    if (embedded) console.log(`  embedded PostgreSQL on port ${embedded.port} (data in .data/postgres); Ctrl-C stops both`);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
