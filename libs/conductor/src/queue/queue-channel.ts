import { createHash } from 'node:crypto';

/** The LISTEN/NOTIFY channel of a queue schema: a short, safe identifier whatever the schema's name. */
export function queueChannel(schema: string): string {
  return `conductor_${createHash('sha1').update(schema).digest('hex').slice(0, 16)}`;
}
