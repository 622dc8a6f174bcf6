import type { Client } from 'pg';
import { readMigrations } from '@conductor/nestjs';
import { DEFAULT_QUEUE } from '@conductor/nestjs/options/defaults';
import { archivePartitionParams } from '@conductor/nestjs/queue/archive-partitions';
import { type PreparedItem, insertValues, uniformParams } from '@conductor/nestjs/queue/insert-params';
import { SqlCatalog, bindSchema } from '@conductor/nestjs/queue/sql/sql-catalog';
import { freshUuidArray } from '@conductor/nestjs/queue/uuid-array-param';
import type { BenchPayload } from '../systems/queue-system.interface';

/**
 * What the measurements that send Conductor's statements straight through `pg` share
 * (`bench:instructions`, `bench:enqueue`): the schema, and the batched insert's parameters.
 */

/**
 * The schema `schema` of Conductor's queue, installed by its migrations in order as the library does, with
 * the partitions of finished executions a starting worker makes.
 */
export async function installQueueSchema(client: Client, schema: string): Promise<void> {
  for (const migration of readMigrations()) await client.query(bindSchema(migration.sql, schema));
  // The partitions of finished executions that a worker makes when it starts, at the default retention.
  const prepare = new SqlCatalog(schema).get('prepare_archive_partitions');
  await client.query(prepare.text, archivePartitionParams(DEFAULT_QUEUE.retentionMs));
}

/**
 * The parameters of insert-executions-uniform.sql for `payloads` of `task` in the default queue, made
 * as the producer makes them: fresh ids in binary form and the payloads' JSON joined into one text.
 */
export function uniformInsertValues(payloads: BenchPayload[], task: string, maxAttempts: number, channel: string): unknown[] {
  const fresh = freshUuidArray(payloads.length);
  const items = payloads.map((payload, i): PreparedItem => ({
    id: fresh.ids[i],
    task,
    queue: 'default',
    maxAttempts,
    payload: JSON.stringify(payload),
    optionMembers: '',
  }));
  const params = uniformParams(items, fresh.param);
  if (!params) throw new Error('a batch without options should go as two texts');
  return insertValues(params, channel);
}
