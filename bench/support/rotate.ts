/** `items` starting at index `by` (modulo their count), wrapping around: turns that rotate from one pass to the next. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const start = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}
