/**
 * Matrix: how often each watched actor appears with each theme among the articles of a query — a heatmap over
 * the whole range, and per time bucket with a slider or as small multiples. A cell drills down to Search
 * `actor:X AND theme:Y`. The state lives in the URL, like every page.
 */
import { useState, type FormEvent } from 'react';
import type { CoOccurrenceResponse } from '../../../api/schemas.ts';
import { Heatmap } from '../charts/heatmap.tsx';
import { formatBucketLabel, quoteValue, searchRange, TIME_ZONES } from '../charts/trend-format.ts';
import { QueryError } from '../components/query-error.tsx';
import { formatCount } from '../format.ts';
import { useActors, useApiGet, useThemes } from '../hooks.ts';
import { navigate } from '../route.ts';

const INTERVALS = ['', 'day', 'week', 'month'] as const;
type MatrixInterval = (typeof INTERVALS)[number];

interface MatrixState {
  q: string;
  actors: string[];
  themes: string[];
  interval: MatrixInterval;
  tz: string;
  from: string;
  to: string;
  view: 'slider' | 'multiples';
}

const list = (v: string | null): string[] => (v ? v.split(',').filter((s) => s !== '') : []);

function readState(params: URLSearchParams): MatrixState {
  const interval = params.get('interval') ?? '';
  return {
    q: params.get('q') ?? '',
    actors: list(params.get('actors')),
    themes: list(params.get('themes')),
    interval: (INTERVALS as readonly string[]).includes(interval) ? (interval as MatrixInterval) : '',
    tz: params.get('tz') ?? 'UTC',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    view: params.get('view') === 'multiples' ? 'multiples' : 'slider',
  };
}

function go(s: MatrixState, replace = true): void {
  navigate(
    'matrix',
    {
      q: s.q,
      actors: s.actors.join(','),
      themes: s.themes.join(','),
      interval: s.interval || undefined,
      tz: s.tz === 'UTC' ? undefined : s.tz,
      from: s.from,
      to: s.to,
      view: s.view === 'slider' ? undefined : s.view,
    },
    { replace },
  );
}

const toggle = (items: readonly string[], id: string): string[] => (items.includes(id) ? items.filter((x) => x !== id) : [...items, id]);

export function MatrixPage({ params }: { params: URLSearchParams }) {
  const state = readState(params);
  const [draft, setDraft] = useState(state.q);
  const [bucket, setBucket] = useState<number | null>(null);
  const actors = useActors();
  const themes = useThemes();
  // Nothing chosen: every actor and theme of the watchlist (the API takes up to 50 of each).
  const actorIds = state.actors.length > 0 ? state.actors : (actors.data ?? []).slice(0, 50).map((a) => a.id);
  const themeIds = state.themes.length > 0 ? state.themes : (themes.data ?? []).slice(0, 50).map((t) => t.id);
  const ready = actorIds.length > 0 && themeIds.length > 0;
  const matrix = useApiGet<CoOccurrenceResponse>(ready ? '/api/cooccurrence' : null, {
    actors: actorIds.join(','),
    themes: themeIds.join(','),
    q: state.q,
    interval: state.interval || undefined,
    tz: state.interval ? state.tz : undefined,
    from: state.from,
    to: state.to,
  });
  const data = matrix.data;

  const onSubmit = (e: FormEvent): void => {
    e.preventDefault();
    go({ ...state, q: draft.trim() }, false);
  };
  const drillDown = (actor: string, theme: string, range?: { t: string; end: string }): void => {
    const pair = `actor:${quoteValue(actor)} AND theme:${quoteValue(theme)}`;
    const q = state.q.trim() ? `${pair} AND (${state.q.trim()})` : pair;
    navigate('search', { q, ...(range ? searchRange(range.t, range.end, state.from, state.to) : { from: state.from, to: state.to }) });
  };

  const countIn = (cells: CoOccurrenceResponse['cells']) => {
    const m = new Map(cells.map((c) => [`${c.actor}\u0000${c.theme}`, c.count]));
    return (a: string, t: string): number => m.get(`${a}\u0000${t}`) ?? 0;
  };
  const buckets = data?.buckets ?? [];
  const bucketMax = Math.max(0, ...buckets.flatMap((b) => b.cells.map((c) => c.count)));
  const chosen = buckets.length > 0 ? Math.min(bucket ?? buckets.length - 1, buckets.length - 1) : 0;
  const current = buckets[chosen];
  const interval = data?.interval ?? 'week';

  return (
    <section aria-labelledby="matrix-title">
      <h1 id="matrix-title">Actors × themes</h1>
      <form className="toolbar" onSubmit={onSubmit}>
        <label className="grow">
          Within articles matching (optional)
          <input type="search" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="idlib OR ghouta" data-testid="matrix-query" />
        </label>
        <button type="submit">Apply</button>
      </form>

      <div className="quick-add" aria-label="Actors">
        {(actors.data ?? []).map((a) => (
          <button
            key={a.id}
            type="button"
            className="chip chip-actor"
            aria-pressed={actorIds.includes(a.id)}
            style={{ opacity: actorIds.includes(a.id) ? 1 : 0.45 }}
            onClick={() => go({ ...state, actors: toggle(actorIds, a.id) })}
            data-testid="matrix-actor"
          >
            {a.name}
          </button>
        ))}
      </div>
      <div className="quick-add" aria-label="Themes">
        {(themes.data ?? []).map((t) => (
          <button
            key={t.id}
            type="button"
            className="chip chip-theme"
            aria-pressed={themeIds.includes(t.id)}
            style={{ opacity: themeIds.includes(t.id) ? 1 : 0.45 }}
            onClick={() => go({ ...state, themes: toggle(themeIds, t.id) })}
            data-testid="matrix-theme"
          >
            {t.name}
          </button>
        ))}
      </div>

      <div className="toolbar">
        <fieldset className="segmented">
          <legend>Over time</legend>
          {INTERVALS.map((iv) => (
            <label key={iv || 'all'} className={iv === state.interval ? 'selected' : undefined}>
              <input type="radio" name="matrix-interval" checked={iv === state.interval} onChange={() => go({ ...state, interval: iv })} data-testid={`matrix-interval-${iv || 'all'}`} />
              {iv || 'whole range'}
            </label>
          ))}
        </fieldset>
        {state.interval ? (
          <label>
            Time zone
            <select value={state.tz} onChange={(e) => go({ ...state, tz: e.target.value })} data-testid="matrix-tz">
              {[...new Set([state.tz, ...TIME_ZONES])].map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label>
          From
          <input type="date" value={state.from.slice(0, 10)} onChange={(e) => go({ ...state, from: e.target.value })} />
        </label>
        <label>
          To (exclusive)
          <input type="date" value={state.to.slice(0, 10)} onChange={(e) => go({ ...state, to: e.target.value })} />
        </label>
      </div>

      {matrix.error ? <QueryError error={matrix.error} query={state.q} /> : null}
      {!ready && !actors.loading && !themes.loading ? <p className="empty">Add actors and themes to the watchlist to see how they co-occur.</p> : null}
      <p className="status" aria-live="polite">
        {matrix.loading ? 'Loading…' : null}
      </p>

      {data ? (
        <>
          <Heatmap
            rows={data.actors}
            columns={data.themes}
            count={countIn(data.cells)}
            max={Math.max(0, ...data.cells.map((c) => c.count))}
            caption={`Articles with both, whole range${state.q ? ` (matching ${state.q})` : ''}`}
            onCellClick={(a, t) => drillDown(a, t)}
          />
          <p className="hint">Each cell counts the articles tagged with both the actor and the theme. Click a cell to read them.</p>
          {buckets.length > 0 ? (
            <>
              <fieldset className="segmented" style={{ marginBottom: '0.5rem' }}>
                <legend>View</legend>
                {(['slider', 'multiples'] as const).map((v) => (
                  <label key={v} className={v === state.view ? 'selected' : undefined}>
                    <input type="radio" name="matrix-view" checked={v === state.view} onChange={() => go({ ...state, view: v })} data-testid={`matrix-view-${v}`} />
                    {v === 'slider' ? 'one bucket' : 'all buckets'}
                  </label>
                ))}
              </fieldset>
              {state.view === 'slider' && current ? (
                <div data-testid="matrix-slider-view">
                  <label>
                    {interval} of {formatBucketLabel(current.t, interval)} ({chosen + 1} of {buckets.length})
                    <input
                      type="range"
                      min={0}
                      max={buckets.length - 1}
                      value={chosen}
                      onChange={(e) => setBucket(Number(e.target.value))}
                      data-testid="matrix-slider"
                      style={{ width: '100%', maxWidth: '40rem' }}
                    />
                  </label>
                  <Heatmap
                    rows={data.actors}
                    columns={data.themes}
                    count={countIn(current.cells)}
                    max={bucketMax}
                    caption={`${interval} of ${formatBucketLabel(current.t, interval)}: ${formatCount(current.cells.reduce((n, c) => n + c.count, 0))} pairings`}
                    onCellClick={(a, t) => drillDown(a, t, current)}
                  />
                </div>
              ) : null}
              {state.view === 'multiples' ? (
                <div style={{ display: 'flex', flexWrap: 'wrap', gap: '1rem' }} data-testid="matrix-multiples">
                  {buckets.map((b) => (
                    <Heatmap
                      key={b.t}
                      compact
                      rows={data.actors}
                      columns={data.themes}
                      count={countIn(b.cells)}
                      max={bucketMax}
                      caption={formatBucketLabel(b.t, interval)}
                      onCellClick={(a, t) => drillDown(a, t, b)}
                    />
                  ))}
                </div>
              ) : null}
            </>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
