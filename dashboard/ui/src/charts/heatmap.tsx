/**
 * Presentational heatmap: rows x columns of counts as an HTML table (readable by screen readers, no chart
 * library), each cell coloured on one sequential scale and clickable to drill down. It does no fetching.
 */
import type { CSSProperties } from 'react';

export interface HeatmapAxisItem {
  id: string;
  name: string;
}

export interface HeatmapProps {
  rows: readonly HeatmapAxisItem[];
  columns: readonly HeatmapAxisItem[];
  /** Count of (row id, column id); missing pairs are 0. */
  count: (rowId: string, columnId: string) => number;
  /** The count that gets the darkest colour (shared by small multiples so they compare). */
  max: number;
  /** Accessible name of the table. */
  caption: string;
  onCellClick: (rowId: string, columnId: string) => void;
  /** Compact cells for small multiples. */
  compact?: boolean;
}

// ColorBrewer "Blues" ends: light for few articles, dark for many.
const LOW = [239, 243, 255];
const HIGH = [8, 69, 148];

/** Background of a cell: white at 0, then from LOW to HIGH linearly in count / max. */
export function heatColour(count: number, max: number): string {
  if (count <= 0 || max <= 0) return '#ffffff';
  const f = Math.min(1, count / max);
  const c = LOW.map((lo, i) => Math.round(lo + ((HIGH[i] ?? lo) - lo) * f));
  return `rgb(${c.join(', ')})`;
}

export function Heatmap({ rows, columns, count, max, caption, onCellClick, compact = false }: HeatmapProps) {
  const size = compact ? '2.2rem' : '4.5rem';
  const cellStyle = (n: number): CSSProperties => ({
    background: heatColour(n, max),
    color: max > 0 && n / max > 0.55 ? '#fff' : '#111827',
    width: size,
    height: compact ? '1.8rem' : '2.6rem',
    textAlign: 'center',
    border: '1px solid #e5e7eb',
    cursor: n > 0 ? 'pointer' : 'default',
    fontVariantNumeric: 'tabular-nums',
    fontSize: compact ? '0.75rem' : '0.9rem',
    padding: 0,
  });
  return (
    <table className="heatmap" data-testid="heatmap" style={{ borderCollapse: 'collapse', margin: '0.5rem 0' }}>
      <caption style={{ textAlign: 'left', fontWeight: 600, padding: '0.25rem 0' }}>{caption}</caption>
      <thead>
        <tr>
          <th scope="col" />
          {columns.map((c) => (
            <th key={c.id} scope="col" style={{ fontSize: compact ? '0.7rem' : '0.85rem', fontWeight: 600, padding: '0 0.25rem', maxWidth: '8rem' }}>
              {c.name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id}>
            <th scope="row" style={{ textAlign: 'right', paddingRight: '0.5rem', fontSize: compact ? '0.7rem' : '0.85rem', fontWeight: 600 }}>
              {r.name}
            </th>
            {columns.map((c) => {
              const n = count(r.id, c.id);
              return (
                <td key={c.id} style={{ padding: 0 }}>
                  <button
                    type="button"
                    style={cellStyle(n)}
                    data-testid="heatmap-cell"
                    data-actor={r.id}
                    data-theme={c.id}
                    data-count={n}
                    disabled={n === 0}
                    aria-label={`${r.name} and ${c.name}: ${n} articles${n > 0 ? '. Show articles.' : ''}`}
                    onClick={() => onCellClick(r.id, c.id)}
                  >
                    {n}
                  </button>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
