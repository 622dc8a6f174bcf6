import type { ClientBase, QueryResult, QueryResultRow } from 'pg';
import { prepareValue } from 'pg/lib/utils';
import { queryWithPrebuiltBind } from './prebuilt-bind-query';

/**
 * From this many characters and bytes of text and binary values on, a statement's Bind is written in one
 * buffer of its exact size (bind-message.ts) rather than by pg. Below it pg's writer stays inside Node's
 * buffer pool and costs nothing worth saving; a batched invoke of 500 sends about 16 KB.
 */
export const PREBUILT_BIND_FROM = 4_096;

/**
 * Sends one statement on `client`, prepared as `name` when given. Values go through pg's own conversion
 * (prepareValue) either way, so a value means the same whichever way its message is written.
 */
export function sendStatement<T extends QueryResultRow>(
  client: ClientBase,
  text: string,
  values: readonly unknown[] | undefined,
  name: string | undefined,
): Promise<QueryResult<T>> {
  if (values && valueSize(values) >= PREBUILT_BIND_FROM)
    return queryWithPrebuiltBind<T>(
      client,
      name,
      text,
      values.map((value) => prepareValue(value)),
    );
  return name ? client.query<T>({ name, text, values: values as unknown[] }) : client.query<T>(text, values as unknown[]);
}

/** The length of the text and binary values: a cheap bound on the message's size, objects not counted. */
export function valueSize(values: readonly unknown[]): number {
  let size = 0;
  for (const value of values) {
    if (typeof value === 'string' || value instanceof Buffer) size += value.length;
  }
  return size;
}
