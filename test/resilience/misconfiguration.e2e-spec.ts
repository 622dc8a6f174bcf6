import type { TestingModule } from '@nestjs/testing';
import { Database, type DatabaseOptions, MisconfigurationError, getDatabaseToken, isDatabaseCallError } from '@conductor/nestjs';
import { CapturedLogs, startConductor } from '../support/app';
import { adminUrl } from '../support/test-database';

// Attempts are bounded and delays small: a misconfiguration must surface within seconds.
const FAST: DatabaseOptions = {
  pool: { max: 1, acquireTimeoutMs: 2_000 },
  resilience: { retry: { maxAttempts: 5, initialDelayMs: 10, maxDelayMs: 50, misconfigurationAttempts: 3 }, timeoutMs: 10_000 },
};

describe('misconfiguration', () => {
  let app: TestingModule;
  const logs = new CapturedLogs();
  const server = new URL(adminUrl());

  beforeAll(async () => {
    const wrongPassword = new URL(adminUrl());
    wrongPassword.password = 'not-the-password';
    app = await startConductor(
      {
        databases: {
          password: { url: wrongPassword.toString(), ...FAST },
          host: { url: 'postgres://postgres:postgres@no-such-host.invalid:5432/postgres', ...FAST },
          tls: { url: adminUrl(), ssl: 'no-verify', ...FAST },
        },
      },
      {},
      logs,
    );
  });

  afterAll(() => app?.close());

  it.each([
    ['password', 'a wrong password', `${server.hostname}:${server.port}`, /SQLSTATE 28P01/],
    ['host', 'an unknown host', 'no-such-host.invalid:5432', /ENOTFOUND|EAI_AGAIN/],
    ['tls', 'TLS demanded from a server without it', `${server.hostname}:${server.port}`, /does not support SSL/],
  ])('escalates %s (%s) after the bounded attempts, naming the key and the host', async (key, _what, target, cause) => {
    const db = app.get<Database>(getDatabaseToken(key));
    // Up, at startup, despite the misconfiguration: the app is not crashed by it.
    expect(db.stats().state).toBe('disconnected');
    const error = await db.query('SELECT 1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MisconfigurationError);
    expect(isDatabaseCallError(error) && error.kind).toBe('misconfiguration');
    const message = (error as Error).message;
    expect(message).toContain(`database "${key}"`);
    expect(message).toContain(target);
    expect(message).toMatch(/gave up after 3 attempt\(s\)/);
    expect(message).toMatch(cause);
    expect(db.stats().retries).toBe(2);
    // Logged once, as an error, for this call.
    expect(logs.matching(new RegExp(`database "${key}": misconfigured`))).toHaveLength(1);
  });
});
