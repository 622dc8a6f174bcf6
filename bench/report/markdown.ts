/** A markdown table. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A measured value: whole numbers above 100, one decimal below. */
export function value(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  return Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1);
}

/** A ratio such as `1.52×`. */
export function ratio(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '—' : `${v.toFixed(2)}×`;
}

/** Settings as `key: value` pairs on one line. */
export function settingsLine(settings: Record<string, unknown>): string {
  return Object.entries(settings)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}
