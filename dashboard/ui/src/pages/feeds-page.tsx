/**
 * Feeds: every feed with its health as recorded by the poller (status, last error code and message,
 * failure streak, next check), and a form to add a feed. Health is data, so it is shown, not hidden in logs.
 */
import { useState, type FormEvent } from 'react';
import type { FeedView } from '../../../api/schemas.ts';
import { apiPost, ApiError } from '../api-client.ts';
import { TokenPrompt } from '../components/token-prompt.tsx';
import { ErrorLine } from '../components/query-error.tsx';
import { formatCount, formatDateTime } from '../format.ts';
import { useFeeds } from '../hooks.ts';
import { safeHttpUrl } from '../safe-url.ts';

const STATUS_LABELS: Record<FeedView['lastStatus'], string> = {
  new: 'not fetched yet',
  ok: 'ok',
  not_modified: 'not modified',
  error: 'error',
};

export function FeedsPage() {
  const feeds = useFeeds();
  const list = [...(feeds.data?.feeds ?? [])].sort(
    (a, b) => a.outletName.localeCompare(b.outletName) || a.url.localeCompare(b.url),
  );
  const failing = list.filter((f) => f.lastStatus === 'error').length;
  return (
    <section aria-labelledby="feeds-title">
      <h1 id="feeds-title">Feeds</h1>
      <AddFeedForm onAdded={feeds.reload} />
      {feeds.error ? <ErrorLine error={feeds.error} /> : null}
      <p className="status" aria-live="polite">
        {feeds.loading && !feeds.data
          ? 'Loading…'
          : `${formatCount(list.length)} feeds${failing ? `, ${formatCount(failing)} failing` : ''}`}
      </p>
      <div className="table-wrap">
        <table className="feeds" data-testid="feeds-table">
          <thead>
            <tr>
              <th scope="col">Outlet</th>
              <th scope="col">Feed</th>
              <th scope="col">Status</th>
              <th scope="col">Last error</th>
              <th scope="col" className="num">
                Failures
              </th>
              <th scope="col">Last success</th>
              <th scope="col">Next check</th>
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
      <td>{formatDateTime(feed.nextCheckAt)}</td>
      <td className="num">{formatCount(feed.articleCount)}</td>
    </tr>
  );
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
        setError(err instanceof ApiError ? err : new ApiError(0, { code: 'client', message: String(err) }));
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
