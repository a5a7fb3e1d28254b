/**
 * Trends: several series (free queries, actor:, theme:) over hour/day/week/month buckets in a chosen time zone,
 * optionally broken down by outlet or outlet tag and normalized to the share of all articles, with buckets
 * lacking a successful fetch shaded; below, the top keywords, entities, outlets and languages of the first
 * series. Everything on screen is read from the URL, so a chart is shared by copying the link; clicking a point
 * or a term opens its articles in Search.
 */
import { lazy, Suspense, useState, type FormEvent } from 'react';
import type { TopTermsResponse, TrendSeries, TrendsResponse } from '../../../api/schemas.ts';
import type { TrendInterval } from '../../../../core/types.ts';
import type { ApiError } from '../api-client.ts';
import { seriesColour } from '../charts/colours.ts';
import { quoteValue, searchRange, TIME_ZONES } from '../charts/trend-format.ts';
import { QueryError } from '../components/query-error.tsx';
import { RetagProgress } from '../components/retag-progress.tsx';
import { formatCount, formatDateTime } from '../format.ts';
import { useActors, useApiGet, useThemes, useTrends } from '../hooks.ts';
import { navigate } from '../route.ts';

// recharts is most of the bundle; other pages load without it.
const TrendChart = lazy(() => import('../charts/trend-chart.tsx').then((m) => ({ default: m.TrendChart })));

const INTERVALS: readonly TrendInterval[] = ['hour', 'day', 'week', 'month'];
const BREAKDOWNS = ['', 'outlet', 'tag'] as const;
type Breakdown = (typeof BREAKDOWNS)[number];

interface TrendsState {
  queries: string[];
  interval: TrendInterval;
  tz: string;
  from: string;
  to: string;
  /** Count each syndicated story once instead of every copy. */
  unique: boolean;
  breakdown: Breakdown;
  /** Plot the share of all articles in the bucket instead of counts. */
  normalized: boolean;
}

function readState(params: URLSearchParams): TrendsState {
  const interval = params.get('interval') ?? '';
  const breakdown = params.get('breakdown') ?? '';
  return {
    queries: params.getAll('q').filter((q) => q.trim() !== ''),
    interval: (INTERVALS as readonly string[]).includes(interval) ? (interval as TrendInterval) : 'day',
    tz: params.get('tz') ?? 'UTC',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    unique: params.get('count') === 'stories',
    breakdown: (BREAKDOWNS as readonly string[]).includes(breakdown) ? (breakdown as Breakdown) : '',
    normalized: params.get('normalize') === 'true',
  };
}

function go(state: TrendsState, replace = false): void {
  navigate(
    'trends',
    {
      q: state.queries,
      interval: state.interval === 'day' ? undefined : state.interval,
      tz: state.tz === 'UTC' ? undefined : state.tz,
      from: state.from,
      to: state.to,
      count: state.unique ? 'stories' : undefined,
      breakdown: state.breakdown || undefined,
      normalize: state.normalized ? 'true' : undefined,
    },
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

/** The query of a series restricted to its breakdown group, for drill-down. */
function seriesQuery(s: TrendSeries): string {
  const base = s.query.trim();
  const g = s.group;
  if (!g || g.other) return base;
  const filter = g.by === 'outlet' ? `outlet:${quoteValue(g.key ?? '')}` : g.key === null ? '' : `collection:${quoteValue(g.key)}`;
  if (!filter) return base;
  return base ? `(${base}) AND ${filter}` : filter;
}

export function TrendsPage({ params }: { params: URLSearchParams }) {
  const state = readState(params);
  const [draft, setDraft] = useState('');
  const trends = useTrends(state.queries, {
    interval: state.interval,
    tz: state.tz === 'UTC' ? undefined : state.tz,
    from: state.from,
    to: state.to,
    count: state.unique ? 'stories' : undefined,
    breakdown: state.breakdown || undefined,
    normalize: state.normalized ? 'true' : undefined,
  });
  const actors = useActors();
  const themes = useThemes();
  const data: TrendsResponse | undefined = trends.data;

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
  const drillDown = (seriesIndex: number, bucketIndex: number): void => {
    const s = data?.series[seriesIndex];
    const start = data?.buckets[bucketIndex];
    const end = data?.buckets[bucketIndex + 1] ?? data?.end;
    if (!s || !start || !end) return;
    navigate('search', { q: seriesQuery(s), ...searchRange(start, end, state.from, state.to) });
  };

  const series: TrendSeries[] = data?.series ?? [];
  const withFallback = series.filter((s) => s.fallbackDateCount > 0);
  // Without any fetch recorded (an imported archive) coverage is unknown rather than absent: no bands then.
  const showCoverage = data?.coverageSince !== null && data?.coverageSince !== undefined;
  const uncovered = showCoverage && series.some((s) => s.points.some((p) => !p.covered));

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
          Time zone
          <select value={state.tz} onChange={(e) => go({ ...state, tz: e.target.value }, true)} data-testid="trend-tz">
            {[...new Set([state.tz, ...TIME_ZONES])].map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" value={state.from.slice(0, 10)} onChange={(e) => go({ ...state, from: e.target.value }, true)} data-testid="trend-from" />
        </label>
        <label>
          To (exclusive)
          <input type="date" value={state.to.slice(0, 10)} onChange={(e) => go({ ...state, to: e.target.value }, true)} data-testid="trend-to" />
        </label>
      </div>
      <div className="toolbar">
        <label>
          Break down by
          <select value={state.breakdown} onChange={(e) => go({ ...state, breakdown: e.target.value as Breakdown }, true)} data-testid="trend-breakdown">
            <option value="">nothing</option>
            <option value="outlet">outlet</option>
            <option value="tag">outlet tag (collection)</option>
          </select>
        </label>
        <label className="checkbox" title="Each point as the share of all articles in the bucket under the same filters (and outlet group)">
          <input type="checkbox" checked={state.normalized} onChange={(e) => go({ ...state, normalized: e.target.checked }, true)} data-testid="trend-normalize" />
          Share of all articles
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
          {series.length > 0 && data ? (
            <>
              <Suspense fallback={<div className="chart chart-loading">Loading chart…</div>}>
                <TrendChart
                  series={series}
                  interval={data.interval}
                  buckets={data.buckets}
                  normalized={data.normalized}
                  showCoverage={showCoverage}
                  onPointClick={drillDown}
                />
              </Suspense>
              <p className="hint">
                Click a point to see the articles behind it. Buckets are {data.interval}s in {data.timeZone}
                {data.normalized ? '; values are the share of all articles in the bucket under the same filters' : ''}.
              </p>
            </>
          ) : null}
          <SeriesLegend series={series} queries={state.queries} onRemove={removeSeries} unit={state.unique ? 'stories' : 'articles'} />
          {uncovered ? (
            <p className="note" data-testid="coverage-note">
              Shaded buckets: at least one series' outlets had no successful fetch then, so a low count may be a gap in
              collection rather than in coverage (fetch history since {formatDateTime(data?.coverageSince)}).
            </p>
          ) : null}
          {data && !showCoverage ? (
            <p className="hint" data-testid="coverage-unknown">No fetch has been recorded yet, so collection gaps cannot be shown.</p>
          ) : null}
          {withFallback.length > 0 ? (
            <p className="note" data-testid="fallback-note">
              Some points use first-seen dates because the feed gave no usable publication date:{' '}
              {withFallback.map((s) => `${s.label} (${formatCount(s.fallbackDateCount)} of ${formatCount(s.total)})`).join(', ')}.
            </p>
          ) : null}
          {state.queries[0] !== undefined ? <TopTerms query={state.queries[0]} from={state.from} to={state.to} /> : null}
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

/**
 * The legend doubles as the series list: label, total, the query behind it, and a remove button. With a
 * breakdown, a query has several series; its remove button removes them all.
 */
function SeriesLegend({ series, queries, onRemove, unit }: SeriesLegendProps) {
  const rows: { key: string; colour: string; label: string; total?: number; query: string; queryIndex: number; first: boolean }[] = [];
  let si = 0;
  queries.forEach((q, qi) => {
    // While a newly added series loads, the previous answer has fewer series.
    const mine: { s: TrendSeries; index: number }[] = [];
    while (si < series.length && series[si]?.query === q) {
      const s = series[si];
      if (s) mine.push({ s, index: si });
      si += 1;
    }
    if (mine.length === 0) rows.push({ key: `${qi}-${q}`, colour: seriesColour(qi), label: q, query: q, queryIndex: qi, first: true });
    mine.forEach(({ s, index }, k) =>
      rows.push({ key: `${qi}-${q}-${s.group?.key ?? ''}-${k}`, colour: seriesColour(index), label: s.label, total: s.total, query: q, queryIndex: qi, first: k === 0 }),
    );
  });
  return (
    <ul className="legend" data-testid="trend-legend">
      {rows.map((r) => (
        <li key={r.key} data-testid="trend-legend-item">
          <span className="swatch" style={{ background: r.colour }} aria-hidden="true" />
          <span className="legend-label" data-testid="trend-legend-label">
            {r.label}
          </span>
          {r.total !== undefined ? (
            <span className="legend-total">
              <span data-testid="trend-legend-total">{formatCount(r.total)}</span> {unit}
            </span>
          ) : null}
          {r.first && r.label !== r.query ? <code className="legend-query">{r.query}</code> : null}
          {r.first ? (
            <button type="button" className="link-button" onClick={() => onRemove(r.queryIndex)} aria-label={`Remove series ${r.label}`}>
              Remove
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

const TERM_PANELS = [
  { field: 'keywords', title: 'Keywords', filter: 'keyword' },
  { field: 'entities', title: 'Entities', filter: 'entity' },
  { field: 'outlet', title: 'Outlets', filter: 'outlet' },
  { field: 'language', title: 'Languages', filter: 'lang' },
] as const;

/** Top keywords, entities, outlets and languages of a query; each term opens Search with the query AND it. */
function TopTerms({ query, from, to }: { query: string; from: string; to: string }) {
  return (
    <section aria-label="Top terms" data-testid="terms-panel" style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(12rem, 1fr))', gap: '1rem', marginTop: '1rem' }}>
      {TERM_PANELS.map((p) => (
        <TermList key={p.field} query={query} from={from} to={to} field={p.field} title={p.title} filter={p.filter} />
      ))}
    </section>
  );
}

function TermList(props: { query: string; from: string; to: string; field: (typeof TERM_PANELS)[number]['field']; title: string; filter: string }) {
  const terms = useApiGet<TopTermsResponse>('/api/terms', { q: props.query, field: props.field, from: props.from, to: props.to, limit: '10' });
  const open = (term: string): void => {
    const filter = `${props.filter}:${quoteValue(term)}`;
    const q = props.query.trim() ? `(${props.query.trim()}) AND ${filter}` : filter;
    navigate('search', { q, from: props.from, to: props.to });
  };
  return (
    <div data-testid={`terms-${props.field}`}>
      <h2 style={{ fontSize: '1rem', margin: '0 0 0.35rem' }}>{props.title}</h2>
      {terms.error ? <p className="hint">{terms.error.message}</p> : null}
      <ol style={{ margin: 0, paddingLeft: '1.4rem' }}>
        {(terms.data?.terms ?? []).map((t) => (
          <li key={t.term}>
            <button type="button" className="link-button" onClick={() => open(t.term)} data-testid="term-link" data-term={t.term}>
              {t.term}
            </button>{' '}
            <span className="legend-total">{formatCount(t.count)}</span>
          </li>
        ))}
      </ol>
      {terms.data && terms.data.terms.length === 0 ? <p className="hint">None.</p> : null}
    </div>
  );
}
