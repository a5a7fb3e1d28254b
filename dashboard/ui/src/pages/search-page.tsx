/**
 * Search: a query in the Narrative Monitor language plus date, outlet and facet filters, results by date or
 * relevance with highlighted keyword-in-context snippets, facet counts that add a filter when clicked, cursor
 * paging, and CSV / JSON Lines export of the whole result set. The URL holds the state so a result list can be shared.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { SearchResponse } from '../../../api/schemas.ts';
import type { SearchHit } from '../../../../store/article-store.ts';
import { apiGet, ApiError, withParams } from '../api-client.ts';
import { FACET_PARAM, FacetSidebar, type FacetName } from '../components/facet-sidebar.tsx';
import { QueryError } from '../components/query-error.tsx';
import { Snippet } from '../components/snippet.tsx';
import { formatCount, formatDateTime } from '../format.ts';
import { useActors, useOutlets, useThemes } from '../hooks.ts';
import { hrefFor, navigate } from '../route.ts';
import { safeHttpUrl } from '../safe-url.ts';

const PAGE_SIZE = '20';

/** Filter parameters beside q (comma-separated lists); the search and export APIs take the same names. */
const FILTER_KEYS = ['outlet', 'lang', 'country', 'actor', 'theme', 'collection'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

type SortOrder = 'date' | 'relevance';

interface SearchState extends Record<FilterKey, string> {
  q: string;
  from: string;
  to: string;
  sort: SortOrder;
}

function readState(params: URLSearchParams): SearchState {
  const filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, params.get(k) ?? ''])) as Record<FilterKey, string>;
  return {
    q: params.get('q') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    ...filters,
    sort: params.get('sort') === 'relevance' ? 'relevance' : 'date',
  };
}

/** URL / API parameters of a state: the default sort is left out so plain links stay short. */
function stateParams(state: SearchState): Record<string, string> {
  const { sort, ...rest } = state;
  return sort === 'date' ? rest : { ...rest, sort };
}

const listOf = (value: string): string[] => value.split(',').map((s) => s.trim()).filter((s) => s !== '');

interface Results {
  total: number;
  hits: SearchHit[];
  nextCursor: string | null;
  facets: SearchResponse['facets'];
}

const FILTER_LABELS: Record<FilterKey, string> = {
  outlet: 'Outlet',
  lang: 'Language',
  country: 'Country',
  actor: 'Actor',
  theme: 'Theme',
  collection: 'Collection',
};

function toApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(0, { code: 'client', message: String(err) });
}

export function SearchPage({ params }: { params: URLSearchParams }) {
  const state = readState(params);
  const stateKey = JSON.stringify(state);
  const [draft, setDraft] = useState(state);
  const [results, setResults] = useState<Results>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);
  const outletList = useOutlets();
  const actors = useActors();
  const themes = useThemes();

  // A link or the back button changes the URL: the form follows it.
  useEffect(() => setDraft(JSON.parse(stateKey) as SearchState), [stateKey]);

  useEffect(() => {
    const controller = new AbortController();
    const s = JSON.parse(stateKey) as SearchState;
    setLoading(true);
    setError(undefined);
    apiGet<SearchResponse>('/api/search', { ...stateParams(s), limit: PAGE_SIZE }, controller.signal).then(
      (body) => {
        setResults({ total: body.total, hits: body.hits, nextCursor: body.nextCursor, facets: body.facets });
        setLoading(false);
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        setResults(undefined);
        setError(toApiError(err));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [stateKey]);

  const loadMore = (): void => {
    if (!results?.nextCursor) return;
    setLoadingMore(true);
    apiGet<SearchResponse>('/api/search', { ...stateParams(state), limit: PAGE_SIZE, cursor: results.nextCursor }).then(
      (body) => {
        // Later pages carry no facets (same result set): keep the first page's.
        setResults((prev) => ({
          total: body.total,
          hits: [...(prev?.hits ?? []), ...body.hits],
          nextCursor: body.nextCursor,
          facets: prev?.facets,
        }));
        setLoadingMore(false);
      },
      (err: unknown) => {
        setError(toApiError(err));
        setLoadingMore(false);
      },
    );
  };

  const onSubmit = (e: FormEvent): void => {
    e.preventDefault();
    navigate('search', stateParams(draft));
  };

  const setSort = (sort: SortOrder): void => navigate('search', stateParams({ ...state, sort }), { replace: true });

  const addFilter = (facet: FacetName, value: string): void => {
    const key = FACET_PARAM[facet];
    const values = listOf(state[key]);
    if (values.includes(value)) return;
    navigate('search', stateParams({ ...state, [key]: [...values, value].join(',') }));
  };

  const removeFilter = (key: FilterKey, value: string): void => {
    navigate('search', stateParams({ ...state, [key]: listOf(state[key]).filter((v) => v !== value).join(',') }));
  };

  const active = useMemo(() => {
    const out: Partial<Record<FacetName, string[]>> = {};
    for (const [facet, key] of Object.entries(FACET_PARAM) as [FacetName, FilterKey][]) out[facet] = listOf(state[key]);
    return out;
  }, [stateKey]);

  // The export captures the applied state (not the unsubmitted draft): the file matches the list on screen.
  const exportHref = (format: 'csv' | 'jsonl'): string => {
    const { sort: _sort, ...params } = state;
    return withParams('/api/export', { format, ...params });
  };

  const outlets = useMemo(() => new Map((outletList.data ?? []).map((o) => [o.id, o.name])), [outletList.data]);
  const actorNames = useMemo(() => new Map((actors.data ?? []).map((a) => [a.id, a.name])), [actors.data]);
  const themeNames = useMemo(() => new Map((themes.data ?? []).map((t) => [t.id, t.name])), [themes.data]);

  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">Search</h1>
      <form className="search-form" onSubmit={onSubmit} role="search">
        <label className="grow">
          Query
          <input
            type="search"
            value={draft.q}
            onChange={(e) => setDraft({ ...draft, q: e.target.value })}
            placeholder={'"white helmets" AND (idlib OR saraqib) NOT outlet:rt'}
            aria-describedby="query-help"
            data-testid="search-input"
          />
        </label>
        <label>
          From
          <input type="date" value={draft.from.slice(0, 10)} onChange={(e) => setDraft({ ...draft, from: e.target.value })} data-testid="search-from" />
        </label>
        <label>
          To (exclusive)
          <input type="date" value={draft.to.slice(0, 10)} onChange={(e) => setDraft({ ...draft, to: e.target.value })} data-testid="search-to" />
        </label>
        <label>
          Outlet
          <select value={listOf(draft.outlet).length > 1 ? '' : draft.outlet} onChange={(e) => setDraft({ ...draft, outlet: e.target.value })} data-testid="search-outlet">
            <option value="">All outlets</option>
            {[...outlets].sort((a, b) => a[1].localeCompare(b[1])).map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      <p id="query-help" className="hint">
        Words, "phrases", AND / OR / NOT, parentheses, and fields: <code>title:</code> <code>outlet:</code> <code>lang:</code>{' '}
        <code>actor:</code> <code>theme:</code>.
      </p>

      <div style={{ display: 'flex', flexWrap: 'wrap', gap: '0.75rem', alignItems: 'center', marginBottom: '0.5rem' }}>
        <fieldset className="segmented" data-testid="search-sort">
          <legend>Sort by</legend>
          {(['date', 'relevance'] as const).map((sort) => (
            <label key={sort} className={state.sort === sort ? 'selected' : undefined}>
              <input type="radio" name="search-sort" value={sort} checked={state.sort === sort} onChange={() => setSort(sort)} data-testid={`sort-${sort}`} />
              {sort === 'date' ? 'Newest first' : 'Best match'}
            </label>
          ))}
        </fieldset>
        <span className="muted">Export all results:</span>
        <a className="button-link" href={exportHref('csv')} download data-testid="export-csv">
          CSV
        </a>
        <a className="button-link" href={exportHref('jsonl')} download data-testid="export-jsonl">
          JSON Lines
        </a>
      </div>

      {FILTER_KEYS.some((k) => state[k] !== '') ? (
        <p className="chips" data-testid="active-filters">
          {FILTER_KEYS.flatMap((key) =>
            listOf(state[key]).map((value) => (
              <button
                key={`${key}-${value}`}
                type="button"
                className="chip chip-actor"
                onClick={() => removeFilter(key, value)}
                title="Remove this filter"
                data-testid="active-filter"
              >
                {FILTER_LABELS[key]}: {labelOf(key, value, results?.facets)} ×
              </button>
            )),
          )}
        </p>
      ) : null}

      {error ? <QueryError error={error} query={state.q} /> : null}

      <p className="status" aria-live="polite" data-testid="search-total">
        {loading ? 'Searching…' : results ? `${formatCount(results.total)} ${results.total === 1 ? 'article' : 'articles'}` : null}
      </p>

      <div style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) minmax(12rem, 16rem)', gap: '1rem', alignItems: 'start' }}>
        <div>
          {results && !loading ? (
            <ol className="results">
              {results.hits.map((hit) => (
                <ResultItem
                  key={hit.id}
                  hit={hit}
                  outletName={outlets.get(hit.outletId) ?? hit.outletId}
                  actorNames={actorNames}
                  themeNames={themeNames}
                />
              ))}
            </ol>
          ) : null}

          {results?.nextCursor && !loading ? (
            <button type="button" onClick={loadMore} disabled={loadingMore} data-testid="load-more">
              {loadingMore ? 'Loading…' : `Load more (${formatCount(results.hits.length)} of ${formatCount(results.total)} shown)`}
            </button>
          ) : null}
        </div>
        {results?.facets && !loading ? (
          <FacetSidebar facets={results.facets} active={active} onSelect={(facet, v) => addFilter(facet, v.value)} />
        ) : null}
      </div>
    </section>
  );
}

/** A filter value's label from the facets on screen (they carry catalog names), else the value itself. */
function labelOf(key: FilterKey, value: string, facets: SearchResponse['facets']): string {
  const facet = (Object.entries(FACET_PARAM) as [FacetName, FilterKey][]).find(([, k]) => k === key)?.[0];
  const match = facet ? facets?.[facet]?.find((v) => v.value === value || v.value.toLowerCase() === value.toLowerCase()) : undefined;
  return match?.label ?? value;
}

interface ResultItemProps {
  hit: SearchHit;
  outletName: string;
  actorNames: ReadonlyMap<string, string>;
  themeNames: ReadonlyMap<string, string>;
}

function ResultItem({ hit, outletName, actorNames, themeNames }: ResultItemProps) {
  const href = safeHttpUrl(hit.url);
  return (
    <li className="result" data-testid="search-result">
      <h2 className="result-title">
        {href ? (
          <a href={href} target="_blank" rel="noopener noreferrer" data-testid="result-link">
            {hit.title || href}
          </a>
        ) : (
          hit.title
        )}
      </h2>
      <p className="result-meta">
        <span className="outlet">{outletName}</span>
        {' · '}
        <time dateTime={hit.date}>{formatDateTime(hit.date)}</time>
        {hit.dateIsFallback ? (
          <span className="badge badge-fallback" title="The feed gave no publication date; this is when Narrative Monitor first saw the article." data-testid="date-fallback">
            first seen
          </span>
        ) : null}
        {hit.language && hit.language !== 'und' ? <span className="badge">{hit.language}</span> : null}
        {hit.clusterId !== undefined && (hit.clusterSize ?? 1) > 1 ? (
          <a
            className="chip chip-copies"
            href={hrefFor('cluster', { id: hit.clusterId })}
            title="The same text was published by several outlets: see which, and how long after the first"
            data-testid="copies-chip"
          >
            {formatCount(hit.clusterSize ?? 1)} copies
          </a>
        ) : null}
      </p>
      <Snippet html={hit.snippet} />
      {hit.actors.length + hit.themes.length > 0 ? (
        <p className="chips">
          {hit.actors.map((id) => (
            <a key={`a-${id}`} className="chip chip-actor" href={hrefFor('search', { q: `actor:${id}` })} data-testid="actor-chip">
              {actorNames.get(id) ?? id}
            </a>
          ))}
          {hit.themes.map((id) => (
            <a key={`t-${id}`} className="chip chip-theme" href={hrefFor('search', { q: `theme:${id}` })} data-testid="theme-chip">
              {themeNames.get(id) ?? id}
            </a>
          ))}
        </p>
      ) : null}
    </li>
  );
}
