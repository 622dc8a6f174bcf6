/** Our configurations under test: Conductor at its defaults, and keeping nothing once finished (as the peers that delete do). */
export const OURS = [
  { id: 'conductor', label: 'Conductor (defaults)' },
  { id: 'conductor-no-retention', label: 'Conductor (retentionMs: 0)' },
];

/** Whether `id` is one of our configurations rather than a peer. */
export function isOurs(id: string): boolean {
  return OURS.some((ours) => ours.id === id);
}
