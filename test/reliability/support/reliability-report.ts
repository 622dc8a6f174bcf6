import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { type Cell, markdownTable } from './markdown-table';

/** The report every reliability run and the soak write their figures to. */
export const REPORT_PATH = join(__dirname, '..', '..', '..', 'docs', 'reliability.md');

/**
 * The sections of the report, in the order they appear. Each test file rewrites only its own section,
 * so the file keeps one structure whichever files ran last.
 */
export const SECTIONS = {
  'server-kill': 'PostgreSQL server SIGKILLed mid-load',
  'worker-kills': 'Worker processes SIGKILLed at aimed points',
  network: 'Network faults through the proxy',
  pgbouncer: 'PgBouncer in transaction pooling mode',
  'bad-input': 'Bad input',
  soak: 'Soak (`npm run soak`)',
} as const;

export type SectionId = keyof typeof SECTIONS;

/** What one section says: a sentence on what was done, tables of figures, and notes. */
export interface SectionContent {
  summary: string;
  tables: { caption: string; rows: Record<string, Cell>[] }[];
  notes?: string[];
}

const HEADER = `# Reliability report

Written by the reliability suite from real runs: \`test/reliability/*.e2e-spec.ts\` (part of \`npm test\`)
and the soak (\`npm run soak\`, \`test/soak/\`). Every fault is injected for real (SIGKILL, a TCP proxy,
PgBouncer) against a real PostgreSQL 18, and every job is accounted for in the database afterwards:
_lost_ is a job whose \`invoke\` returned and that is neither completed nor dead with its error;
_doubled_ is a job whose effect was applied more than once where exactly once is promised. Each section
is rewritten by the run that produced it; its first line says when. Times are measured, not asserted.

Covered by other test files and not repeated here: two orchestrators of different schema versions during a
breaking migration (\`test/queue/migrations.e2e-spec.ts\`), kills from outside at random times, SIGTERM
drains and a worker paused past staleness (\`test/queue/crash-recovery.e2e-spec.ts\`), breaker-driven
pauses (\`test/queue/outage.e2e-spec.ts\`), malformed options and invoke input
(\`test/queue/invoke-validation.e2e-spec.ts\`, \`libs/conductor/src/options/*.spec.ts\`).`;

/** Replaces the section `id` of the report with `content`, keeping the other sections as they are. */
export function writeSection(id: SectionId, content: SectionContent): void {
  withLock(() => {
    const sections = readSections();
    sections.set(id, renderSection(id, content));
    const body = (Object.keys(SECTIONS) as SectionId[]).map((key) => sections.get(key) ?? renderPending(key));
    const text = `${[HEADER, ...body].join('\n\n')}\n`;
    const temp = `${REPORT_PATH}.${process.pid}.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, REPORT_PATH);
  });
}

function renderSection(id: SectionId, content: SectionContent): string {
  const parts = [
    `<!-- section:${id} -->`,
    `## ${SECTIONS[id]}`,
    `_Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${availableParallelism()} CPUs._`,
    content.summary,
  ];
  for (const table of content.tables) parts.push(`${table.caption}:`, markdownTable(table.rows));
  if (content.notes && content.notes.length > 0) parts.push(content.notes.map((note) => `- ${note}`).join('\n'));
  parts.push(`<!-- /section:${id} -->`);
  return parts.join('\n\n');
}

function renderPending(id: SectionId): string {
  return [`<!-- section:${id} -->`, `## ${SECTIONS[id]}`, '_Not run yet._', `<!-- /section:${id} -->`].join('\n\n');
}

/** The sections the report holds now, by id. */
function readSections(): Map<SectionId, string> {
  const sections = new Map<SectionId, string>();
  let text: string;
  try {
    text = readFileSync(REPORT_PATH, 'utf8');
  } catch {
    return sections;
  }
  for (const id of Object.keys(SECTIONS) as SectionId[]) {
    const start = text.indexOf(`<!-- section:${id} -->`);
    const endMarker = `<!-- /section:${id} -->`;
    const end = text.indexOf(endMarker);
    if (start >= 0 && end > start) sections.set(id, text.slice(start, end + endMarker.length));
  }
  return sections;
}

/** Runs `fn` holding a lock directory: jest may run two reliability files at once in two workers. */
function withLock(fn: () => void): void {
  const lock = `${REPORT_PATH}.lock`;
  mkdirSync(join(REPORT_PATH, '..'), { recursive: true });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // NOTE: a lock left by a killed run is older than any real holder (a write takes milliseconds).
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
