import { type ClientBase, Query } from 'pg';
import { PREBUILT_BIND_FROM, sendStatement } from './send-statement';

/** A client that only records what it is asked to run; nothing is sent anywhere. */
function recordingClient(): { client: ClientBase; received: unknown[] } {
  const received: unknown[] = [];
  const query = (...args: unknown[]): Promise<never> => {
    received.push(args.length === 1 ? args[0] : args);
    return new Promise<never>(() => undefined);
  };
  return { client: { query } as unknown as ClientBase, received };
}

// Which way a statement goes; what each way sends is checked against a real server in
// test/database/large-statements.e2e-spec.ts and against pg's serializer in bind-message.spec.ts.
describe('sendStatement', () => {
  const large = 'x'.repeat(PREBUILT_BIND_FROM);

  it('hands pg a query with its Bind prebuilt once the values reach the threshold, named or not', () => {
    for (const name of ['conductor_large', undefined]) {
      const { client, received } = recordingClient();
      void sendStatement(client, 'SELECT $1::text', [large], name);
      expect(received).toHaveLength(1);
      expect(received[0]).toBeInstanceOf(Query);
    }
  });

  it('leaves smaller statements to pg as they were', () => {
    const { client, received } = recordingClient();
    void sendStatement(client, 'SELECT $1::text', [large.slice(1)], 'conductor_small');
    void sendStatement(client, 'SELECT $1::text', ['x'], undefined);
    void sendStatement(client, 'SELECT 1', undefined, undefined);
    expect(received).toEqual([
      { name: 'conductor_small', text: 'SELECT $1::text', values: [large.slice(1)] },
      ['SELECT $1::text', ['x']],
      ['SELECT 1', undefined],
    ]);
  });
});
