/**
 * Presentational trend chart: one line per series over shared time buckets. It does no fetching; clicking
 * (or pressing Enter on) a point reports the series and bucket so the page can drill down to the articles.
 */
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { TrendSeries } from '../../../api/schemas.ts';
import type { TrendInterval } from '../../../../core/types.ts';
import { formatBucket } from '../format.ts';
import { seriesColour } from './colours.ts';

export interface TrendChartProps {
  series: readonly TrendSeries[];
  interval: TrendInterval;
  onPointClick: (seriesIndex: number, bucket: string) => void;
}

type Row = { t: string } & Record<string, number | string>;

/** Merges the series into one row per bucket; a bucket missing from a series counts as zero. */
export function toRows(series: readonly TrendSeries[]): Row[] {
  const byT = new Map<string, Row>();
  series.forEach((s, i) => {
    for (const p of s.points) {
      const row: Row = byT.get(p.t) ?? { t: p.t };
      row[`s${i}`] = p.count;
      byT.set(p.t, row);
    }
  });
  const rows = [...byT.values()].sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  for (const row of rows) series.forEach((_, i) => (row[`s${i}`] ??= 0));
  return rows;
}

interface PointProps {
  cx?: number | undefined;
  cy?: number | undefined;
  payload?: unknown;
  value?: unknown;
}

export function TrendChart({ series, interval, onPointClick }: TrendChartProps) {
  const rows = toRows(series);
  // Each dot is a button: a transparent 10px hit area around the visible point, so it is easy to click.
  const renderDot = (seriesIndex: number) =>
    function Dot(props: PointProps) {
      const { cx, cy } = props;
      const t = (props.payload as Row | undefined)?.t;
      if (cx === undefined || cy === undefined || t === undefined) return null;
      const count = typeof props.value === 'number' ? props.value : 0;
      const open = (): void => onPointClick(seriesIndex, t);
      return (
        <g
          key={`${seriesIndex}-${t}`}
          className="trend-dot"
          data-testid="trend-dot"
          data-series={seriesIndex}
          data-bucket={t}
          role="button"
          tabIndex={0}
          aria-label={`${series[seriesIndex]?.label ?? ''}, ${formatBucket(t, interval)}: ${count} articles. Show articles.`}
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
  return (
    <div className="chart" data-testid="trend-chart">
      <ResponsiveContainer width="100%" height={360}>
        <LineChart data={rows} margin={{ top: 12, right: 24, bottom: 8, left: 0 }}>
          <CartesianGrid stroke="#e5e7eb" vertical={false} />
          <XAxis dataKey="t" tickFormatter={(t: string) => formatBucket(t, interval)} minTickGap={24} />
          <YAxis allowDecimals={false} width={48} />
          <Tooltip labelFormatter={(t) => formatBucket(String(t), interval)} />
          {series.map((s, i) => (
            <Line
              key={`${i}-${s.query}`}
              type="linear"
              dataKey={`s${i}`}
              name={s.label}
              stroke={seriesColour(i)}
              strokeWidth={2}
              isAnimationActive={false}
              dot={renderDot(i)}
              activeDot={renderActiveDot(i)}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
