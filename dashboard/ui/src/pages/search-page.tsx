/**
 * Search: a query in the Narrative Monitor language plus date and outlet filters, results with highlighted
 * keyword-in-context snippets, and cursor paging. The URL holds the query so a result list can be shared.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { SearchResponse } from '../../../api/schemas.ts';
import type { SearchHit } from '../../../../store/article-store.ts';
import { apiGet, ApiError } from '../api-client.ts';
import { QueryError } from '../components/query-error.tsx';
import { Snippet } from '../components/snippet.tsx';
import { formatCount, formatDateTime } from '../format.ts';
import { useActors, useOutlets, useThemes } from '../hooks.ts';
import { hrefFor, navigate } from '../route.ts';
import { safeHttpUrl } from '../safe-url.ts';

const PAGE_SIZE = '20';

interface SearchState {
  q: string;
  from: string;
  to: string;
  outlet: string;
}

function readState(params: URLSearchParams): SearchState {
  return { q: params.get('q') ?? '', from: params.get('from') ?? '', to: params.get('to') ?? '', outlet: params.get('outlet') ?? '' };
}

interface Results {
  total: number;
  hits: SearchHit[];
  nextCursor: string | null;
}

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
    apiGet<SearchResponse>('/api/search', { ...s, limit: PAGE_SIZE }, controller.signal).then(
      (body) => {
        setResults({ total: body.total, hits: body.hits, nextCursor: body.nextCursor });
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
    apiGet<SearchResponse>('/api/search', { ...state, limit: PAGE_SIZE, cursor: results.nextCursor }).then(
      (body) => {
        setResults((prev) => ({ total: body.total, hits: [...(prev?.hits ?? []), ...body.hits], nextCursor: body.nextCursor }));
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
    navigate('search', { ...draft });
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
          <select value={draft.outlet} onChange={(e) => setDraft({ ...draft, outlet: e.target.value })} data-testid="search-outlet">
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

      {error ? <QueryError error={error} query={state.q} /> : null}

      <p className="status" aria-live="polite" data-testid="search-total">
        {loading ? 'Searching…' : results ? `${formatCount(results.total)} ${results.total === 1 ? 'article' : 'articles'}` : null}
      </p>

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
    </section>
  );
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
