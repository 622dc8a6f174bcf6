/** A value a report cell can hold. */
export type Cell = string | number | boolean | null | undefined;

/**
 * Renders rows as a Markdown table laid out the way prettier lays tables out (every column padded
 * to its widest cell), so the generated report passes `prettier --check` as written.
 */
export function markdownTable(rows: Record<string, Cell>[]): string {
  if (rows.length === 0) return '_(no rows)_';
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cells = [columns, ...rows.map((row) => columns.map((column) => formatCell(row[column])))];
  const widths = columns.map((_, i) => Math.max(3, ...cells.map((line) => line[i].length)));
  const line = (values: string[]): string => `| ${values.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].join('\n');
}

/** Numbers rounded to at most two decimals; missing values as an em dash; pipes escaped. */
export function formatCell(value: Cell): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
  return String(value).replaceAll('|', '\\|');
}
