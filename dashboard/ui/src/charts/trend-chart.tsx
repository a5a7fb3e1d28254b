/**
 * Presentational trend chart: one line per series over the response's bucket grid, counts or shares, with
 * shaded bands over buckets whose outlets had no successful fetch. It does no fetching; clicking (or pressing
 * Enter on) a point reports the series and bucket index so the page can drill down to the articles.
 */
import { CartesianGrid, Line, LineChart, ReferenceArea, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { TrendSeries } from '../../../api/schemas.ts';
import type { TrendInterval } from '../../../../core/types.ts';
import { seriesColour } from './colours.ts';
import { formatBucketLabel } from './trend-format.ts';

export interface TrendChartProps {
  series: readonly TrendSeries[];
  interval: TrendInterval;
  /** Bucket starts (ISO with offset), the x axis. */
  buckets: readonly string[];
  /** Plot `share` (as %) instead of `count`. */
  normalized: boolean;
  /** Shade buckets where a series was not covered by a successful fetch. */
  showCoverage: boolean;
  onPointClick: (seriesIndex: number, bucketIndex: number) => void;
}

type Row = { x: number; t: string } & Record<string, number | string | null>;

/** One row per bucket: `s<i>` is the count (or share in %) of series i there, null for an undefined share. */
export function toRows(series: readonly TrendSeries[], buckets: readonly string[], normalized: boolean): Row[] {
  return buckets.map((t, x) => {
    const row: Row = { x, t };
    series.forEach((s, i) => {
      const p = s.points[x];
      row[`s${i}`] = !p ? 0 : normalized ? (p.share === null || p.share === undefined ? null : p.share * 100) : p.count;
    });
    return row;
  });
}

/** Runs [first, last] of consecutive bucket indexes in which at least one series is not covered. */
export function uncoveredRuns(series: readonly TrendSeries[], bucketCount: number): [number, number][] {
  const runs: [number, number][] = [];
  for (let i = 0; i < bucketCount; i++) {
    const uncovered = series.some((s) => s.points[i]?.covered === false);
    if (!uncovered) continue;
    const last = runs[runs.length - 1];
    if (last && last[1] === i - 1) last[1] = i;
    else runs.push([i, i]);
  }
  return runs;
}

interface PointProps {
  cx?: number | undefined;
  cy?: number | undefined;
  payload?: unknown;
  value?: unknown;
}

interface BandProps {
  x?: number;
  y?: number;
  width?: number;
  height?: number;
}

export function TrendChart({ series, interval, buckets, normalized, showCoverage, onPointClick }: TrendChartProps) {
  const rows = toRows(series, buckets, normalized);
  const runs = showCoverage ? uncoveredRuns(series, buckets.length) : [];
  const unit = normalized ? '% of all articles' : 'articles';
  // Each dot is a button: a transparent 10px hit area around the visible point, so it is easy to click.
  const renderDot = (seriesIndex: number) =>
    function Dot(props: PointProps) {
      const { cx, cy } = props;
      const row = props.payload as Row | undefined;
      if (cx === undefined || cy === undefined || row === undefined || typeof props.value !== 'number') return null;
      const p = series[seriesIndex]?.points[row.x];
      const open = (): void => onPointClick(seriesIndex, row.x);
      const what = normalized && p ? `${((p.share ?? 0) * 100).toFixed(1)}% (${p.count} of ${p.total ?? 0})` : `${p?.count ?? 0} articles`;
      return (
        <g
          key={`${seriesIndex}-${row.t}`}
          className="trend-dot"
          data-testid="trend-dot"
          data-series={seriesIndex}
          data-bucket={row.t}
          data-count={p?.count ?? 0}
          role="button"
          tabIndex={0}
          aria-label={`${series[seriesIndex]?.label ?? ''}, ${formatBucketLabel(row.t, interval)}: ${what}. Show articles.`}
          onClick={open}
          onKeyDown={(e) => {
            if (e.key === 'Enter' || e.key === ' ') {
              e.preventDefault();
              open();
            }
          }}
        >
          <circle cx={cx} cy={cy} r={10} fill="transparent" />
          <circle cx={cx} cy={cy} r={3.5} fill="#fff" stroke={seriesColour(seriesIndex)} strokeWidth={2} />
        </g>
      );
    };
  // The hover highlight lets clicks through to the dot underneath it.
  const renderActiveDot = (seriesIndex: number) =>
    function ActiveDot(props: PointProps) {
      const { cx, cy } = props;
      if (cx === undefined || cy === undefined) return null;
      return <circle cx={cx} cy={cy} r={6} fill={seriesColour(seriesIndex)} stroke="#fff" strokeWidth={2} pointerEvents="none" />;
    };
  const band = (run: [number, number]) =>
    function Band(props: BandProps) {
      return (
        <rect
          x={props.x}
          y={props.y}
          width={props.width}
          height={props.height}
          fill="#9ca3af"
          fillOpacity={0.18}
          data-testid="coverage-band"
          data-from={buckets[run[0]]}
          data-to={buckets[run[1]]}
        >
          <title>No successful fetch for a series' outlets</title>
        </rect>
      );
    };
  return (
    <div className="chart" data-testid="trend-chart" data-normalized={normalized ? 'true' : 'false'}>
      <ResponsiveContainer width="100%" height={360}>
        <LineChart data={rows} margin={{ top: 12, right: 24, bottom: 8, left: 0 }}>
          <CartesianGrid stroke="#e5e7eb" vertical={false} />
          {runs.map((run) => (
            <ReferenceArea key={`band-${run[0]}`} x1={run[0] - 0.5} x2={run[1] + 0.5} ifOverflow="extendDomain" shape={band(run)} />
          ))}
          <XAxis
            dataKey="x"
            type="number"
            domain={[-0.5, Math.max(buckets.length - 0.5, 0.5)]}
            allowDecimals={false}
            ticks={rows.map((r) => r.x)}
            tickFormatter={(x: number) => formatBucketLabel(buckets[x] ?? '', interval)}
            minTickGap={24}
          />
          <YAxis allowDecimals={normalized} width={56} tickFormatter={(v: number) => (normalized ? `${v}%` : String(v))} />
          <Tooltip
            labelFormatter={(x) => formatBucketLabel(buckets[Number(x)] ?? '', interval)}
            formatter={(v) => (typeof v === 'number' ? `${normalized ? v.toFixed(1) : v} ${unit}` : '—')}
          />
          {series.map((s, i) => (
            <Line
              key={`${i}-${s.query}-${s.group?.key ?? ''}`}
              type="linear"
              dataKey={`s${i}`}
              name={s.label}
              stroke={seriesColour(i)}
              strokeWidth={2}
              isAnimationActive={false}
              connectNulls={false}
              dot={renderDot(i)}
              activeDot={renderActiveDot(i)}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
