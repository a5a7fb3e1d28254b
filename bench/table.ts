/** Prints benchmark rows as an aligned plain-text table. */
export interface BenchRow {
  section: string;
  measure: string;
  value: string;
  /** Ratio against the section's baseline row, when there is one. */
  ratio?: string;
  note?: string;
}

export function formatTable(rows: readonly BenchRow[]): string {
  const cols: Array<keyof BenchRow> = ['section', 'measure', 'value', 'ratio', 'note'];
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ').trimEnd();
  return [
    line(cols.map(String)),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...rows.map((r) => line(cols.map((c) => r[c] ?? ''))),
  ].join('\n');
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
