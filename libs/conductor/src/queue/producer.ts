import type { EventEmitter } from 'node:events';
import type { Database } from '../database/database';
import { classifyError } from '../resilience/classify-error';
import { isDatabaseCallError } from '../resilience/database-call.error';
import { mayHaveExecuted } from '../resilience/sent-marker';
import type { ResolvedQueueOptions } from '../options/resolved-options.interface';
import { type InsertParams, type PreparedItem, documentParams, insertValues, uniformParams } from './insert-params';
import { InvalidInvokeError } from './invalid-invoke.error';
import type { LocalStart } from './local-start';
import { encodeJson } from './payload-codec';
import type { QueueEventMap } from './queue-events';
import type { InvokeOptions, InvokeRequest, InvokeResult } from './queue.interfaces';
import type { SqlCatalog } from './sql/sql-catalog';
import type { RegisteredTask } from './task-registry';
import { freshUuidArray } from './uuid-array-param';
import { uuidv7 } from './uuid-v7';

/** Most items one INSERT statement carries; larger batches are sent in chunks of this size. */
export const INVOKE_CHUNK_SIZE = 2_000;
const MAX_NAME_LENGTH = 200;
const MAX_KEY_LENGTH = 512;
const INVOKE_OPTION_KEYS = new Set(['idempotencyKey', 'runAt', 'delayMs', 'priority', 'maxAttempts', 'queue']);
const INT32_MAX = 2_147_483_647;
const NO_OPTIONS: InvokeOptions = Object.freeze({});

/** What insert-execution-started.sql returns: what the worker needs of a row it did not fetch. */
interface StartedRow {
  lease: string;
  payload: unknown;
}

/** What the insert statements return: the keyed one names each key's execution. */
interface InsertRow {
  task: string | null;
  key: string | null;
  execution_id: string | null;
}

/** A single invoke waiting for the next grouped insert. */
interface Waiting {
  item: PreparedItem;
  resolve: (result: InvokeResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Producer turns `invoke` calls into rows: it validates every item before anything is written, gives
 * each a client-generated id (so a retried insert never doubles), and sends a batch as one statement.
 * Inside `Database.transaction` on the queue's database the insert joins the transaction.
 *
 * Single invokes outside a transaction are grouped: while one insert is in flight, the invokes that
 * arrive wait and go together in the next statement (one commit for many callers). Each caller still
 * gets its own result, or the error of its group.
 *
 * A single invoke that finds the producer and this process's worker both idle is started here instead
 * (local-start.ts): inserted already leased to this process, and handed to the worker when it commits.
 */
export class Producer {
  private readonly waiting: Waiting[] = [];
  private grouping = false;
  private startingHere = false;
  /** This process's worker, while it runs: an idle one starts single invokes itself (startHere). */
  local?: LocalStart;

  constructor(
    private readonly db: Database,
    private readonly sql: SqlCatalog,
    private readonly options: ResolvedQueueOptions,
    private readonly tasks: () => ReadonlyMap<string, RegisteredTask>,
    private readonly channel: string,
    private readonly events: EventEmitter<QueueEventMap>,
  ) {}

  /** Enqueues `requests`; results come back in the same order. */
  async invoke(requests: readonly InvokeRequest[], signal?: AbortSignal): Promise<InvokeResult[]> {
    if (!Array.isArray(requests))
      throw new InvalidInvokeError('(batch)', 'invokeBatch expects an array of { task, payload, opts? }');
    if (requests.length === 1 && !this.db.currentTransaction) {
      const item = this.prepare(requests[0]);
      if (this.mayStartHere(item)) return [await this.startHere(item, signal)];
      return [await this.grouped(item, signal)];
    }
    // Every item is validated before the first chunk is written: a bad item anywhere enqueues nothing.
    const chunks: { items: PreparedItem[]; ids: Buffer }[] = [];
    for (let start = 0; start < requests.length; start += INVOKE_CHUNK_SIZE) {
      const fresh = freshUuidArray(Math.min(INVOKE_CHUNK_SIZE, requests.length - start));
      const items = fresh.ids.map((id, k) => this.prepareInBatch(requests[start + k], start + k, id));
      chunks.push({ items, ids: fresh.param });
    }
    const results: InvokeResult[][] = [];
    for (const chunk of chunks) results.push(await this.insert(chunk.items, signal, chunk.ids));
    // One chunk, the usual batch, is returned as the insert made it, without a copy.
    return results.length === 1 ? results[0] : results.flat();
  }

  /**
   * Queues a single invoke for the next grouped insert. Aborted while it still waits, it leaves the
   * queue, so its rejection is true: nothing was enqueued. Aborted once its group was sent, it rejects
   * at once like any statement in flight, and the execution may or may not have been enqueued.
   */
  private grouped(item: PreparedItem, signal?: AbortSignal): Promise<InvokeResult> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiting.indexOf(waiting);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal?.reason);
      };
      const waiting: Waiting = {
        item,
        resolve: (result) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(result);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiting);
      if (!this.grouping) void this.insertGroups();
    });
  }

  /**
   * Only an item without options (priority, run time, key: they order or hold it), and only while no
   * other insert of this producer is on its way, so that invokes arriving together still share one.
   */
  private mayStartHere(item: PreparedItem): boolean {
    // `grouping` covers invokes waiting too: it is set from the first one queued until none is left.
    if (!this.local || item.optionMembers !== '' || this.grouping || this.startingHere) return false;
    return this.local.reserveLocalStart(item.task, item.queue);
  }

  /** Inserts `item` leased to this process and hands it to the worker (see LocalStart). */
  private async startHere(item: PreparedItem, signal?: AbortSignal): Promise<InvokeResult> {
    const local = this.local!;
    const statement = this.sql.get('insert_execution_started');
    this.startingHere = true;
    let row: StartedRow;
    try {
      // Not retried by the policy once it may have reached the server, like the plain insert.
      [row] = await this.db.query<StartedRow>(
        statement.text,
        [item.id, item.task, item.queue, item.payload, item.maxAttempts, local.orchestratorId],
        { name: statement.name, idempotent: false, signal, route: 'primary' },
      );
    } catch (error) {
      if (!isDatabaseCallError(error) || !mayHaveExecuted(error.cause)) {
        local.cancelLocalStart(item.task, false);
        throw error;
      }
      // Its answer was lost: the row may be in, leased to this process, or its insert still running. The
      // keyed statement inserts it if it is not (as after a lost plain insert), waiting for an insert in
      // progress. Only then may the worker hand back the leases it does not hold: a hand-back that ran
      // before the first try committed would leave its row leased to this process, run by no one.
      try {
        await this.run('insert_executions_keyed', documentParams([item]), true, signal);
      } finally {
        local.cancelLocalStart(item.task, true);
      }
      return this.created(item);
    } finally {
      this.startingHere = false;
    }
    local.startLocal({
      id: item.id,
      task: item.task,
      queue: item.queue,
      payload: row.payload,
      attempts: 1,
      lease: row.lease,
      wait_ms: 0,
      // Local starts are only for invokes without a priority.
      priority: 0,
    });
    return this.created(item);
  }

  private created(item: PreparedItem): InvokeResult {
    if (this.events.listenerCount('invoked') > 0) this.events.emit('invoked', { task: item.task, queue: item.queue, count: 1 });
    return { id: item.id, deduplicated: false };
  }

  /** Inserts the waiting invokes, a group per statement, until none is left. */
  private async insertGroups(): Promise<void> {
    this.grouping = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, INVOKE_CHUNK_SIZE);
        try {
          const results = await this.insert(group.map((w) => w.item));
          group.forEach((w, index) => w.resolve(results[index]));
        } catch (error) {
          if (group.length === 1 || classifyError(error).kind === 'transient') group.forEach((w) => w.reject(error));
          // One caller's item may be what the database refused: insert them one by one to find out.
          else for (const w of group) await this.insert([w.item]).then(([result]) => w.resolve(result), w.reject);
        }
      }
    } finally {
      this.grouping = false;
    }
  }

  /** `ids`, when given, is the items' ids in binary form, in their order (freshUuidArray). */
  private async insert(items: PreparedItem[], signal?: AbortSignal, ids?: Buffer): Promise<InvokeResult[]> {
    // Two items with the same key in one batch: the first one enqueues, the others get its id.
    const firstByKey = new Map<string, PreparedItem>();
    const unique = items.some((item) => item.key !== undefined)
      ? items.filter((item) => {
          if (item.key === undefined) return true;
          const scoped = `${item.task}\u0000${item.key}`;
          if (firstByKey.has(scoped)) return false;
          firstByKey.set(scoped, item);
          return true;
        })
      : items;
    const keyed = firstByKey.size > 0;
    let rows: InsertRow[] = [];
    if (keyed) rows = await this.run('insert_executions_keyed', documentParams(unique), true, signal);
    else {
      try {
        // Not retried by the policy once it may have reached the server: the plain insert is not safe to repeat.
        const params = uniformParams(unique, ids);
        if (params) await this.run('insert_executions_uniform', params, false, signal);
        else await this.run('insert_executions', documentParams(unique), false, signal);
      } catch (error) {
        // Its answer was lost, so its rows may be in: the keyed statement, which inserts nothing twice,
        // inserts only what is missing. (Inside a caller's transaction there is no such retry: the error
        // has aborted the transaction.)
        if (this.db.currentTransaction || !isDatabaseCallError(error) || !mayHaveExecuted(error.cause)) throw error;
        await this.run('insert_executions_keyed', documentParams(unique), true, signal);
      }
    }
    const claimed = new Map<string, string>();
    if (keyed)
      for (const row of rows)
        if (row.task !== null && row.key !== null) claimed.set(`${row.task}\u0000${row.key}`, row.execution_id!);

    // Counted per task and queue only for a listener (metrics): a key string per item costs otherwise.
    const created = this.events.listenerCount('invoked') > 0 ? new Map<string, Map<string, number>>() : undefined;
    const results = items.map((item): InvokeResult => {
      if (item.key === undefined) {
        if (created) bump(created, item);
        return { id: item.id, deduplicated: false };
      }
      const scoped = `${item.task}\u0000${item.key}`;
      const id = claimed.get(scoped) ?? firstByKey.get(scoped)!.id;
      const first = firstByKey.get(scoped) === item;
      // The key's row names our own id when this call (or its retry after a lost ack) created it.
      const deduplicated = !(first && id === item.id);
      if (!deduplicated && created) bump(created, item);
      return { id, deduplicated };
    });
    for (const [task, byQueue] of created ?? [])
      for (const [queue, count] of byQueue) this.events.emit('invoked', { task, queue, count });
    return results;
  }

  private run(statementName: string, params: InsertParams, idempotent: boolean, signal?: AbortSignal): Promise<InsertRow[]> {
    const statement = this.sql.get(statementName);
    return this.db.query<InsertRow>(statement.text, insertValues(params, this.channel), {
      name: statement.name,
      idempotent,
      signal,
      route: 'primary',
    });
  }

  /** prepare, for an item of a batch: its error names the item's position, the one to fix among many. */
  private prepareInBatch(request: InvokeRequest, index: number, id: string): PreparedItem {
    try {
      return this.prepare(request, id);
    } catch (error) {
      if (error instanceof InvalidInvokeError && error.index === undefined)
        throw new InvalidInvokeError(error.task, error.reason, index);
      throw error;
    }
  }

  /** Validates one request and serializes it; throws before anything is written. */
  private prepare(request: InvokeRequest, id: string = uuidv7()): PreparedItem {
    if (typeof request !== 'object' || request === null) {
      throw new InvalidInvokeError('(batch)', 'an item is not an object { task, payload, opts? }');
    }
    const { task, payload, opts } = request;
    if (typeof task !== 'string' || task.length === 0 || task.length > MAX_NAME_LENGTH) {
      throw new InvalidInvokeError(
        String(task),
        `the task name must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`,
      );
    }
    const registered = this.tasks().get(task);
    if (!registered && this.options.strict) {
      const known = [...this.tasks().keys()];
      throw new InvalidInvokeError(
        task,
        `no @Task handler is registered for it (known: ${known.length ? known.join(', ') : 'none'}); set queue.strict: false to enqueue for other processes`,
      );
    }
    const options = this.checkOptions(task, opts);
    const encoded = encodeJson(payload, this.options.maxPayloadBytes);
    if ('problem' in encoded) throw new InvalidInvokeError(task, `the payload cannot be stored: ${encoded.problem}`);

    const queue = options.queue ?? 'default';
    const maxAttempts = options.maxAttempts ?? registered?.maxAttempts ?? this.options.maxAttempts;
    const key = options.idempotencyKey;
    // Options left out read as NULL in the statements (priority 0, run at once): most items carry only
    // their payload, a smaller document to build, send and parse.
    let members = '';
    if (options.priority) members += `,"priority":${options.priority}`;
    if (options.runAt) members += `,"run_at":${JSON.stringify(options.runAt.toISOString())}`;
    if (options.delayMs !== undefined) members += `,"delay_ms":${options.delayMs}`;
    if (key !== undefined) members += `,"idempotency_key":${JSON.stringify(key)}`;
    return { id, task, queue, maxAttempts, key, payload: encoded.json, optionMembers: members };
  }

  private checkOptions(task: string, opts: InvokeOptions | undefined): InvokeOptions {
    if (opts === undefined || opts === null) return NO_OPTIONS;
    if (typeof opts !== 'object') throw new InvalidInvokeError(task, 'options must be an object');
    for (const key of Object.keys(opts)) {
      if (!INVOKE_OPTION_KEYS.has(key)) {
        throw new InvalidInvokeError(
          task,
          `unknown option ${JSON.stringify(key)} (known: ${[...INVOKE_OPTION_KEYS].join(', ')})`,
        );
      }
    }
    const { idempotencyKey, runAt, delayMs, priority, maxAttempts, queue } = opts;
    if (
      idempotencyKey !== undefined &&
      (typeof idempotencyKey !== 'string' || idempotencyKey.length === 0 || idempotencyKey.length > MAX_KEY_LENGTH)
    ) {
      throw new InvalidInvokeError(task, `idempotencyKey must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`);
    }
    if (runAt !== undefined && (!(runAt instanceof Date) || Number.isNaN(runAt.getTime()))) {
      throw new InvalidInvokeError(task, 'runAt must be a valid Date');
    }
    if (delayMs !== undefined && (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0)) {
      throw new InvalidInvokeError(task, `delayMs must be a finite number >= 0, got ${String(delayMs)}`);
    }
    if (runAt !== undefined && delayMs !== undefined) throw new InvalidInvokeError(task, 'give runAt or delayMs, not both');
    if (priority !== undefined && (!Number.isInteger(priority) || Math.abs(priority) > INT32_MAX)) {
      throw new InvalidInvokeError(task, `priority must be a 32-bit integer, got ${String(priority)}`);
    }
    if (maxAttempts !== undefined && (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > INT32_MAX)) {
      throw new InvalidInvokeError(task, `maxAttempts must be an integer >= 1, got ${String(maxAttempts)}`);
    }
    if (queue !== undefined && (typeof queue !== 'string' || queue.length === 0 || queue.length > MAX_NAME_LENGTH)) {
      throw new InvalidInvokeError(task, `queue must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`);
    }
    return opts;
  }
}

/** Counts `item` by task, then queue: no key string to join per item and split again. */
function bump(counts: Map<string, Map<string, number>>, item: PreparedItem): void {
  let byQueue = counts.get(item.task);
  if (!byQueue) counts.set(item.task, (byQueue = new Map()));
  byQueue.set(item.queue, (byQueue.get(item.queue) ?? 0) + 1);
}
