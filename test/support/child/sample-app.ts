import { bootstrap } from '../../../apps/sample/src/bootstrap';

// The sample app run as a separate process (test/sample/), so that it can get a real SIGTERM.
// Configured like the app itself: CONDUCTOR_MAIN_URL, CONDUCTOR_REFERENCE_URL, PORT, INSTANCE_NAME,
// MAIL_LATENCY_MS, SHUTDOWN_DELAY_MS. Prints `CHILD-READY {"pid":..,"port":..}` once it listens.
void bootstrap().then(
  ({ port }) => console.log(`CHILD-READY ${JSON.stringify({ pid: process.pid, port })}`),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
