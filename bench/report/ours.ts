import { conductorNoRetentionSpec, conductorSpec } from '../systems/conductor/conductor.system';
import type { QueueSystemSpec } from '../systems/queue-system.interface';

/** Our configurations under test: Conductor at its defaults, and keeping nothing once finished (as the peers that delete do). */
export const OURS: readonly QueueSystemSpec[] = [conductorSpec, conductorNoRetentionSpec];

/** Whether `id` is one of our configurations rather than a peer. */
export function isOurs(id: string): boolean {
  return OURS.some((ours) => ours.id === id);
}
