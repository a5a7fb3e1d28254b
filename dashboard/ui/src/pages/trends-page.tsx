/**
 * Trends: several series (free queries, actor:, theme:) over day/week/month buckets. Everything on screen is
 * read from the URL, so a chart is shared by copying the link; clicking a point opens its articles in Search.
 */
import { lazy, Suspense, useState, type FormEvent } from 'react';
import type { TrendSeries } from '../../../api/schemas.ts';
import type { TrendInterval } from '../../../../core/types.ts';
import type { ApiError } from '../api-client.ts';
import { seriesColour } from '../charts/colours.ts';
import { QueryError } from '../components/query-error.tsx';
import { RetagProgress } from '../components/retag-progress.tsx';
import { bucketEnd, formatCount } from '../format.ts';
import { useActors, useThemes, useTrends } from '../hooks.ts';
import { navigate } from '../route.ts';

// recharts is most of the bundle; other pages load without it.
const TrendChart = lazy(() => import('../charts/trend-chart.tsx').then((m) => ({ default: m.TrendChart })));

const INTERVALS: readonly TrendInterval[] = ['day', 'week', 'month'];

interface TrendsState {
  queries: string[];
  interval: TrendInterval;
  from: string;
  to: string;
  /** Count each syndicated story once instead of every copy. */
  unique: boolean;
}

function readState(params: URLSearchParams): TrendsState {
  const interval = params.get('interval');
  return {
    queries: params.getAll('q').filter((q) => q.trim() !== ''),
    interval: interval === 'week' || interval === 'month' ? interval : 'day',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    unique: params.get('count') === 'stories',
  };
}

function go(state: TrendsState, replace = false): void {
  navigate(
    'trends',
    { q: state.queries, interval: state.interval === 'day' ? undefined : state.interval, from: state.from, to: state.to, count: state.unique ? 'stories' : undefined },
    { replace },
  );
}

/** Which series a 400 is about: the API names it `q.1` for the second one; undefined when not a series. */
function erroredSeries(error: ApiError, queries: readonly string[]): number | undefined {
  const m = /^q(?:\.(\d+))?$/.exec(error.param ?? '');
  if (!m) return undefined;
  if (m[1] !== undefined) return Number(m[1]);
  return queries.length === 1 ? 0 : undefined;
}

export function TrendsPage({ params }: { params: URLSearchParams }) {
  const state = readState(params);
  const [draft, setDraft] = useState('');
  const trends = useTrends(state.queries, { interval: state.interval, from: state.from, to: state.to, count: state.unique ? 'stories' : undefined });
  const actors = useActors();
  const themes = useThemes();

  const addSeries = (query: string): void => {
    const q = query.trim();
    if (!q || state.queries.includes(q)) return;
    go({ ...state, queries: [...state.queries, q] });
  };
  const onSubmit = (e: FormEvent): void => {
    e.preventDefault();
    addSeries(draft);
    setDraft('');
  };
  const removeSeries = (index: number): void => go({ ...state, queries: state.queries.filter((_, i) => i !== index) });
  const drillDown = (seriesIndex: number, bucket: string): void => {
    const s = trends.data?.series[seriesIndex];
    if (!s) return;
    // Clamp the bucket to the page's range: a week bucket can start before `from`.
    const end = bucketEnd(bucket, state.interval);
    navigate('search', {
      q: s.query,
      from: state.from && state.from > bucket ? state.from : bucket,
      to: state.to && state.to < end ? state.to : end,
    });
  };

  const series: TrendSeries[] = trends.data?.series ?? [];
  const withFallback = series.filter((s) => s.fallbackDateCount > 0);

  return (
    <section aria-labelledby="trends-title">
      <h1 id="trends-title">Trends</h1>
      <form className="toolbar" onSubmit={onSubmit}>
        <label className="grow">
          Add a series
          <input
            type="search"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder={'"white helmets" AND outlet:rt, actor:white-helmets, theme:…'}
            data-testid="trend-query-input"
          />
        </label>
        <button type="submit" disabled={!draft.trim()}>
          Add
        </button>
      </form>

      {(actors.data?.length ?? 0) + (themes.data?.length ?? 0) > 0 ? (
        <div className="quick-add" aria-label="Quick add">
          {actors.data?.map((a) => (
            <button
              key={`actor-${a.id}`}
              type="button"
              className="chip chip-actor"
              disabled={state.queries.includes(`actor:${a.id}`)}
              onClick={() => addSeries(`actor:${a.id}`)}
              data-testid="quick-add-actor"
            >
              + {a.name}
            </button>
          ))}
          {themes.data?.map((t) => (
            <button
              key={`theme-${t.id}`}
              type="button"
              className="chip chip-theme"
              disabled={state.queries.includes(`theme:${t.id}`)}
              onClick={() => addSeries(`theme:${t.id}`)}
              data-testid="quick-add-theme"
            >
              + {t.name}
            </button>
          ))}
        </div>
      ) : null}
      <RetagProgress themes={themes.data ?? []} onFinished={trends.reload} />

      <div className="toolbar">
        <fieldset className="segmented">
          <legend>Interval</legend>
          {INTERVALS.map((iv) => (
            <label key={iv} className={iv === state.interval ? 'selected' : undefined}>
              <input
                type="radio"
                name="interval"
                value={iv}
                checked={iv === state.interval}
                onChange={() => go({ ...state, interval: iv }, true)}
                data-testid={`interval-${iv}`}
              />
              {iv}
            </label>
          ))}
        </fieldset>
        <label>
          From
          <input type="date" value={state.from} onChange={(e) => go({ ...state, from: e.target.value }, true)} data-testid="trend-from" />
        </label>
        <label>
          To (exclusive)
          <input type="date" value={state.to} onChange={(e) => go({ ...state, to: e.target.value }, true)} data-testid="trend-to" />
        </label>
        <label className="checkbox" title="Count a story republished by several outlets once, on the day of its first matching copy">
          <input type="checkbox" checked={state.unique} onChange={(e) => go({ ...state, unique: e.target.checked }, true)} data-testid="trend-unique" />
          Unique stories
        </label>
      </div>

      {trends.error ? <TrendsError error={trends.error} queries={state.queries} /> : null}

      {state.queries.length === 0 ? (
        <p className="empty">Add a query, an actor or a theme to draw a series.</p>
      ) : (
        <>
          <p className="status" aria-live="polite">
            {trends.loading ? 'Loading…' : null}
          </p>
          {series.length > 0 ? (
            <>
              <Suspense fallback={<div className="chart chart-loading">Loading chart…</div>}>
                <TrendChart series={series} interval={trends.data?.interval ?? state.interval} onPointClick={drillDown} />
              </Suspense>
              <p className="hint">Click a point to see the articles behind it.</p>
            </>
          ) : null}
          <SeriesLegend series={series} queries={state.queries} onRemove={removeSeries} unit={state.unique ? 'stories' : 'articles'} />
          {withFallback.length > 0 ? (
            <p className="note" data-testid="fallback-note">
              Some points use first-seen dates because the feed gave no usable publication date:{' '}
              {withFallback.map((s) => `${s.label} (${formatCount(s.fallbackDateCount)} of ${formatCount(s.total)})`).join(', ')}.
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}

function TrendsError({ error, queries }: { error: ApiError; queries: readonly string[] }) {
  const index = erroredSeries(error, queries);
  const query = index === undefined ? undefined : queries[index];
  const context = index !== undefined && queries.length > 1 ? `Series ${index + 1}` : undefined;
  return <QueryError error={error} query={query} context={context} />;
}

interface SeriesLegendProps {
  series: readonly TrendSeries[];
  queries: readonly string[];
  onRemove: (index: number) => void;
  /** What the totals count: every article, or each syndicated story once. */
  unit: 'articles' | 'stories';
}

/** The legend doubles as the series list: label, total, the query behind it, and a remove button. */
function SeriesLegend({ series, queries, onRemove, unit }: SeriesLegendProps) {
  return (
    <ul className="legend" data-testid="trend-legend">
      {queries.map((q, i) => {
        // While a newly added series loads, the previous answer has one series fewer.
        const s = series[i]?.query === q ? series[i] : undefined;
        return (
          <li key={`${i}-${q}`} data-testid="trend-legend-item">
            <span className="swatch" style={{ background: seriesColour(i) }} aria-hidden="true" />
            <span className="legend-label" data-testid="trend-legend-label">
              {s?.label ?? q}
            </span>
            {s ? (
              <span className="legend-total">
                <span data-testid="trend-legend-total">{formatCount(s.total)}</span> {unit}
              </span>
            ) : null}
            {s && s.label !== q ? <code className="legend-query">{q}</code> : null}
            <button type="button" className="link-button" onClick={() => onRemove(i)} aria-label={`Remove series ${s?.label ?? q}`}>
              Remove
            </button>
          </li>
        );
      })}
    </ul>
  );
}
