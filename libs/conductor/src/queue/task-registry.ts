import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { ResolvedQueueOptions } from '../options/resolved-options.interface';
import type { TaskHandler, TaskOptions } from './queue.interfaces';
import { TASK_METADATA, type TaskMetadata } from './task.decorator';

/** A discovered handler with its options resolved against the queue's defaults. */
export interface RegisteredTask {
  name: string;
  handler: TaskHandler;
  maxAttempts: number;
  backoff: { initialDelayMs: number; maxDelayMs: number };
  /** Per-process limit, or undefined for none beyond the global concurrency. */
  concurrency?: number;
  timeoutMs: number;
  transactional: boolean;
  /** Where the handler was declared, for error messages. */
  source: string;
}

/** TaskRegistry finds every `@Task` method among the application's providers at startup. */
@Injectable()
export class TaskRegistry {
  private tasks?: Map<string, RegisteredTask>;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  /** Discovers the handlers once (after every provider is instantiated) and resolves their options. */
  load(defaults: ResolvedQueueOptions): Map<string, RegisteredTask> {
    if (this.tasks) return this.tasks;
    const tasks = new Map<string, RegisteredTask>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = instance[method];
        if (typeof fn !== 'function') continue;
        const metadata = this.reflector.get<TaskMetadata | undefined>(TASK_METADATA, fn);
        if (!metadata) continue;
        const source = `${instance.constructor.name}.${method}`;
        const existing = tasks.get(metadata.name);
        if (existing) {
          throw new Error(`Conductor: task ${JSON.stringify(metadata.name)} has two handlers: ${existing.source} and ${source}`);
        }
        tasks.set(
          metadata.name,
          resolveTask(metadata.name, metadata.options, fn.bind(instance) as TaskHandler, source, defaults),
        );
      }
    }
    this.tasks = tasks;
    return tasks;
  }
}

function resolveTask(
  name: string,
  options: TaskOptions,
  handler: TaskHandler,
  source: string,
  defaults: ResolvedQueueOptions,
): RegisteredTask {
  const check = (value: number | undefined, option: string): void => {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new Error(`Conductor: @Task(${JSON.stringify(name)}) on ${source}: ${option} must be an integer >= 1, got ${value}`);
    }
  };
  check(options.maxAttempts, 'maxAttempts');
  check(options.concurrency, 'concurrency');
  check(options.timeoutMs, 'timeoutMs');
  return {
    name,
    handler,
    maxAttempts: options.maxAttempts ?? defaults.maxAttempts,
    backoff: { ...defaults.backoff, ...options.backoff },
    concurrency: options.concurrency,
    timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
    transactional: options.transactional ?? false,
    source,
  };
}
