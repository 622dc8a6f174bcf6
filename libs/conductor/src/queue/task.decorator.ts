import { SetMetadata } from '@nestjs/common';
import type { TaskOptions } from './queue.interfaces';

/** Metadata key under which `@Task` stores its name and options on a method. */
export const TASK_METADATA = 'conductor:task';

/** What `@Task` records on a method. */
export interface TaskMetadata {
  name: string;
  options: TaskOptions;
}

/**
 * Marks a provider method as the handler of task `name`: `(payload, ctx: TaskContext) => Promise<unknown>`.
 * Handlers are discovered at startup; a name handled twice is an error.
 */
export function Task(name: string, options: TaskOptions = {}): MethodDecorator {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
    throw new Error(`@Task: the task name must be a non-empty string of at most 200 characters, got ${JSON.stringify(name)}`);
  }
  return SetMetadata<string, TaskMetadata>(TASK_METADATA, { name, options });
}
