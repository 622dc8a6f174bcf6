import { type ClientBase, type Connection, Query, type QueryConfig, type QueryResult, type QueryResultRow } from 'pg';
import { type WireValue, bindMessage } from './bind-message';

/** What this query relies on of pg 8 beyond its typings: how a Query tracks a connection's prepared statements. */
interface PgQueryInternals {
  name?: string;
  text: string;
  hasBeenParsed(connection: Connection): boolean;
}
interface PgConnectionInternals {
  submittedNamedStatements: Record<string, string>;
}

/**
 * A pg Query whose Bind, Describe, Execute and Sync go out as one buffer made beforehand (bind-message.ts).
 * Everything else is pg's: the Parse when the connection has not prepared the statement yet, the queue
 * of the client, the rows, the errors and the callback.
 */
class PrebuiltBindQuery extends Query {
  constructor(
    name: string | undefined,
    text: string,
    private readonly message: Buffer,
    callback: (error: Error | undefined, result: QueryResult) => void,
  ) {
    // 'extended': pg would send a statement without values (as it sees this one) as a simple query.
    super({ name, text, queryMode: 'extended' } as QueryConfig, callback);
  }

  /** Called by pg's submit, with the stream corked, in place of its own prepare. */
  prepare(connection: Connection): void {
    const query = this as unknown as PgQueryInternals;
    if (!query.hasBeenParsed(connection)) {
      // `false` only for @types/pg, which declares a `more` flag that pg 8's parse does not read.
      connection.parse({ name: query.name ?? '', text: query.text, types: [] }, false);
      if (query.name) (connection as unknown as PgConnectionInternals).submittedNamedStatements[query.name] = query.text;
    }
    // As pg's own writes: on a stream that no longer takes writes the connection's error fails the query.
    if (connection.stream.writable) connection.stream.write(this.message);
  }
}

/** Runs `text` (prepared as `name`, or unnamed) on `client` with `values` already in their wire form. */
export function queryWithPrebuiltBind<T extends QueryResultRow>(
  client: ClientBase,
  name: string | undefined,
  text: string,
  values: readonly WireValue[],
): Promise<QueryResult<T>> {
  const message = bindMessage(name ?? '', values);
  return new Promise((resolve, reject) => {
    client.query(
      new PrebuiltBindQuery(name, text, message, (error, result) => (error ? reject(error) : resolve(result as QueryResult<T>))),
    );
  });
}
