/** Memory a child worker printed last (see test/support/child/memory-probe.ts), in MB. */
export interface ChildMemory {
  rssMb: number;
  heapMb: number;
}

const LINE = /CHILD-MEMORY (\{[^\n]*\})/g;

/** The last `CHILD-MEMORY` line in a child's recent output, or undefined when none is there yet. */
export function lastChildMemory(output: string): ChildMemory | undefined {
  const matches = [...output.matchAll(LINE)];
  if (matches.length === 0) return undefined;
  const { rss, heapUsed } = JSON.parse(matches[matches.length - 1][1]) as { rss: number; heapUsed: number };
  return { rssMb: rss / 1024 / 1024, heapMb: heapUsed / 1024 / 1024 };
}
