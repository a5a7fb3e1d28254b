/**
 * Feeds: every feed with its health as recorded by the poller (state, HTTP status, last error, failure
 * streak, next check, articles per day), problems first and filterable by state; forms to add a feed and
 * to import OPML, and an OPML export link. Health is data, so it is shown, not hidden in logs.
 */
import { useState, type ChangeEvent, type FormEvent } from 'react';
import type { ErrorResponse, FeedCounts, FeedView, OpmlImportResponse } from '../../../api/schemas.ts';
import { apiPost, ApiError, getApiToken } from '../api-client.ts';
import { TokenPrompt } from '../components/token-prompt.tsx';
import { ErrorLine } from '../components/query-error.tsx';
import { formatCount, formatDateTime } from '../format.ts';
import { useFeeds } from '../hooks.ts';
import { safeHttpUrl } from '../safe-url.ts';

type FeedState = FeedView['lastStatus'];

const STATUS_LABELS: Record<FeedState, string> = {
  new: 'not fetched yet',
  ok: 'ok',
  not_modified: 'not modified',
  error: 'error',
  gone: 'gone (410)',
};

/** Failing first (longest streak first), then gone, never fetched, healthy: what needs attention on top. */
const STATE_RANK: Record<FeedState, number> = { error: 0, gone: 1, new: 2, not_modified: 3, ok: 3 };

const FILTERS: ReadonlyArray<{ value: FeedState | 'all'; label: string }> = [
  { value: 'all', label: 'All states' },
  { value: 'error', label: 'Failing' },
  { value: 'gone', label: 'Gone (410)' },
  { value: 'new', label: 'Not fetched yet' },
  { value: 'ok', label: 'OK' },
  { value: 'not_modified', label: 'Not modified' },
];

function sortByHealth(feeds: readonly FeedView[]): FeedView[] {
  return [...feeds].sort(
    (a, b) =>
      STATE_RANK[a.lastStatus] - STATE_RANK[b.lastStatus] ||
      b.consecutiveFailures - a.consecutiveFailures ||
      a.outletName.localeCompare(b.outletName) ||
      a.url.localeCompare(b.url),
  );
}

/** "1 feed", "2 feeds". */
function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
}

function formatRate(perDay: number | null | undefined): string {
  if (perDay === null || perDay === undefined) return '—';
  return perDay >= 10 ? String(Math.round(perDay)) : perDay.toFixed(1);
}

export function FeedsPage() {
  const feeds = useFeeds();
  const [filter, setFilter] = useState<FeedState | 'all'>('all');
  const all = feeds.data?.feeds ?? [];
  const list = sortByHealth(filter === 'all' ? all : all.filter((f) => f.lastStatus === filter));
  return (
    <section aria-labelledby="feeds-title">
      <h1 id="feeds-title">Feeds</h1>
      {feeds.data ? <HealthSummary counts={feeds.data.counts} /> : null}
      {feeds.error ? <ErrorLine error={feeds.error} /> : null}
      <div className="feeds-forms">
        <AddFeedForm onAdded={feeds.reload} />
        <OpmlImportForm onImported={feeds.reload} />
      </div>
      <div className="toolbar">
        <label>
          State
          <select value={filter} onChange={(e) => setFilter(e.target.value as FeedState | 'all')} data-testid="feed-state-filter">
            {FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
                {feeds.data ? ` (${formatCount(f.value === 'all' ? feeds.data.counts.total : feeds.data.counts[f.value])})` : ''}
              </option>
            ))}
          </select>
        </label>
        <a className="button-link" href="/api/opml" download data-testid="opml-export">
          Export OPML
        </a>
      </div>
      <p className="status" aria-live="polite">
        {feeds.loading && !feeds.data ? 'Loading…' : `${formatCount(list.length)} of ${formatCount(all.length)} feeds shown`}
      </p>
      <div className="table-wrap">
        <table className="feeds" data-testid="feeds-table">
          <thead>
            <tr>
              <th scope="col">Outlet</th>
              <th scope="col">Feed</th>
              <th scope="col">State</th>
              <th scope="col" className="num">
                HTTP
              </th>
              <th scope="col">Last error</th>
              <th scope="col" className="num">
                Failures
              </th>
              <th scope="col">Last success</th>
              <th scope="col">Next check</th>
              <th scope="col" className="num">
                Articles/day
              </th>
              <th scope="col" className="num">
                Articles
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((f) => (
              <FeedRow key={f.id} feed={f} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function HealthSummary({ counts }: { counts: FeedCounts }) {
  const failing = counts.error;
  return (
    <p className={`feeds-summary${failing > 0 ? ' feeds-summary-bad' : ''}`} data-testid="feeds-summary">
      <strong data-testid="feeds-failing-count">{formatCount(failing)}</strong> failing ·{' '}
      <span data-testid="feeds-gone-count">{formatCount(counts.gone)}</span> gone · {formatCount(counts.new)} not fetched yet ·{' '}
      {formatCount(counts.ok + counts.not_modified)} ok · {plural(counts.total, 'feed')}
    </p>
  );
}

function FeedRow({ feed }: { feed: FeedView }) {
  const href = safeHttpUrl(feed.url);
  return (
    <tr data-testid="feed-row" data-feed-id={feed.id} data-status={feed.lastStatus}>
      <td>{feed.outletName}</td>
      <td className="feed-url">
        {feed.title ? <span className="feed-title">{feed.title}</span> : null}
        {href ? (
          <a href={href} target="_blank" rel="noopener noreferrer">
            {feed.url}
          </a>
        ) : (
          feed.url
        )}
      </td>
      <td>
        <span className={`status-pill status-${feed.lastStatus}`} data-testid="feed-status">
          {STATUS_LABELS[feed.lastStatus]}
        </span>
      </td>
      <td className="num" data-testid="feed-http-status">
        {feed.lastHttpStatus ?? '—'}
      </td>
      <td>
        {feed.lastErrorCode ? (
          <>
            <code data-testid="feed-error-code">{feed.lastErrorCode}</code>
            {feed.lastError ? <span className="feed-error"> {feed.lastError}</span> : null}
          </>
        ) : (
          '—'
        )}
      </td>
      <td className="num">{feed.consecutiveFailures}</td>
      <td>{formatDateTime(feed.lastSuccessAt)}</td>
      <td data-testid="feed-next-check">{feed.lastStatus === 'gone' ? 'never (gone)' : formatDateTime(feed.nextCheckAt)}</td>
      <td className="num" data-testid="feed-per-day">
        {formatRate(feed.articlesPerDay)}
      </td>
      <td className="num">{formatCount(feed.articleCount)}</td>
    </tr>
  );
}

function toApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(0, { code: 'client', message: String(err) });
}

function AddFeedForm({ onAdded }: { onAdded: () => void }) {
  const [url, setUrl] = useState('');
  const [outlet, setOutlet] = useState('');
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [added, setAdded] = useState<string>();

  const submit = (): void => {
    setBusy(true);
    setError(undefined);
    setAdded(undefined);
    apiPost<unknown>('/api/feeds', { url: url.trim(), outlet: outlet.trim() }).then(
      () => {
        setAdded(url.trim());
        setUrl('');
        setBusy(false);
        onAdded();
      },
      (err: unknown) => {
        setError(toApiError(err));
        setBusy(false);
      },
    );
  };

  const onSubmit = (e: FormEvent): void => {
    e.preventDefault();
    submit();
  };

  return (
    // The API validates (URL shape, private addresses); noValidate shows its reason instead of the browser's.
    <form className="card form-row" onSubmit={onSubmit} aria-labelledby="add-feed-title" noValidate>
      <h2 id="add-feed-title">Add a feed</h2>
      <label className="grow">
        Feed URL
        <input type="url" required value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.org/rss.xml" data-testid="feed-url-input" />
      </label>
      <label>
        Outlet
        <input type="text" required value={outlet} onChange={(e) => setOutlet(e.target.value)} placeholder="rt or Russia Today" data-testid="feed-outlet-input" />
      </label>
      <button type="submit" disabled={busy}>
        {busy ? 'Adding…' : 'Add feed'}
      </button>
      {error ? (
        <p className="error form-message" role="alert" data-testid="feed-form-error">
          {error.message}
        </p>
      ) : null}
      {error?.status === 401 ? <TokenPrompt onSaved={submit} /> : null}
      {added ? (
        <p className="success form-message" role="status">
          Added {added}. It will be fetched on the next poll.
        </p>
      ) : null}
    </form>
  );
}

function isErrorResponse(body: unknown): body is ErrorResponse {
  return typeof body === 'object' && body !== null && 'error' in body && typeof (body as ErrorResponse).error?.message === 'string';
}

/**
 * POSTs the file itself as the body: the API reads OPML, not JSON, so the JSON helper of api-client does
 * not fit. Same token and error handling as every other write.
 */
async function postOpml(file: Blob): Promise<OpmlImportResponse> {
  const headers: Record<string, string> = { 'content-type': 'text/x-opml', accept: 'application/json' };
  const token = getApiToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch('/api/opml', { method: 'POST', headers, body: file });
  } catch {
    throw new ApiError(0, { code: 'network', message: 'The API did not answer. Is the server running?' });
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    throw new ApiError(
      response.status,
      isErrorResponse(body) ? body.error : { code: `http_${response.status}`, message: `${response.status} ${response.statusText}` },
    );
  }
  return body as OpmlImportResponse;
}

function OpmlImportForm({ onImported }: { onImported: () => void }) {
  const [file, setFile] = useState<File>();
  const [result, setResult] = useState<OpmlImportResponse>();
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);

  const upload = (chosen: File): void => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    postOpml(chosen).then(
      (body) => {
        setResult(body);
        setBusy(false);
        onImported();
      },
      (err: unknown) => {
        setError(toApiError(err));
        setBusy(false);
      },
    );
  };

  const onChange = (e: ChangeEvent<HTMLInputElement>): void => {
    const chosen = e.target.files?.[0];
    // Cleared so that choosing the same file again (after fixing it) imports again.
    e.target.value = '';
    if (!chosen) return;
    setFile(chosen);
    upload(chosen);
  };

  return (
    <div className="card form-row" role="group" aria-labelledby="opml-import-title">
      <h2 id="opml-import-title">Import OPML</h2>
      <label className="grow">
        OPML file from another reader (Feedly, Miniflux, …) or an earlier export
        <input type="file" accept=".opml,.xml,text/x-opml,text/xml,application/xml" onChange={onChange} disabled={busy} data-testid="opml-file-input" />
      </label>
      {busy ? <p className="status form-message">Importing {file?.name}…</p> : null}
      {error ? (
        <p className="error form-message" role="alert" data-testid="opml-import-error">
          {error.message}
        </p>
      ) : null}
      {error?.status === 401 && file ? <TokenPrompt onSaved={() => upload(file)} /> : null}
      {result ? <OpmlImportResult result={result} /> : null}
    </div>
  );
}

function OpmlImportResult({ result }: { result: OpmlImportResponse }) {
  return (
    <div className="form-message" role="status" data-testid="opml-import-result">
      <p className="success">
        Imported {plural(result.imported, 'feed')} ({formatCount(result.alreadyPresent)} already present) into{' '}
        {plural(result.outlets, 'outlet')} ({formatCount(result.outletsCreated)} new).
      </p>
      {result.skipped.length > 0 ? (
        <div className="error">
          <p className="error-message">{plural(result.skipped.length, 'feed')} refused:</p>
          <ul className="opml-list">
            {result.skipped.map((s) => (
              <li key={s.url} data-testid="opml-skipped">
                <code>{s.url}</code>: {s.reason}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {result.problems.length > 0 ? (
        <ul className="note opml-list">
          {result.problems.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
