/**
 * Alerts: saved queries that record an event for every new matching article (and POST it to a webhook when
 * one is set). Lists each alert with its event count and its most recent events with delivery status.
 */
import { useState, type FormEvent } from 'react';
import type { AlertEventView, AlertView } from '../../../api/schemas.ts';
import { apiPost, ApiError } from '../api-client.ts';
import { TokenPrompt } from '../components/token-prompt.tsx';
import { ErrorLine, QueryError } from '../components/query-error.tsx';
import { formatCount, formatDateTime } from '../format.ts';
import { useAlertEvents, useAlerts } from '../hooks.ts';
import { hrefFor } from '../route.ts';
import { safeHttpUrl } from '../safe-url.ts';

export function AlertsPage() {
  const alerts = useAlerts();
  const list = alerts.data ?? [];
  return (
    <section aria-labelledby="alerts-title">
      <h1 id="alerts-title">Alerts</h1>
      <CreateAlertForm onCreated={alerts.reload} />
      {alerts.error ? <ErrorLine error={alerts.error} /> : null}
      {alerts.loading && !alerts.data ? <p className="status">Loading…</p> : null}
      {alerts.data && list.length === 0 ? <p className="empty">No alerts yet.</p> : null}
      <ul className="alerts" data-testid="alerts-list">
        {list.map((a) => (
          <AlertCard key={a.id} alert={a} />
        ))}
      </ul>
    </section>
  );
}

function AlertCard({ alert }: { alert: AlertView }) {
  const events = useAlertEvents(alert.id, alert.eventCount > 0);
  return (
    <li className="card alert" data-testid="alert-item" data-alert-id={alert.id}>
      <div className="alert-head">
        <h2>{alert.name}</h2>
        <span className="badge" data-testid="alert-event-count">
          {formatCount(alert.eventCount)} {alert.eventCount === 1 ? 'event' : 'events'}
        </span>
      </div>
      <p className="alert-query">
        <code>{alert.query}</code> · <a href={hrefFor('search', { q: alert.query })}>search</a> ·{' '}
        <a href={hrefFor('trends', { q: alert.query })}>trend</a>
      </p>
      <p className="alert-meta">
        Created {formatDateTime(alert.createdAt)}
        {alert.webhookUrl ? (
          <>
            {' '}
            · webhook <code>{alert.webhookUrl}</code>
          </>
        ) : (
          ' · no webhook (in-app only)'
        )}
      </p>
      {events.error ? <ErrorLine error={events.error} /> : null}
      {events.data && events.data.length > 0 ? (
        <table className="events">
          <caption>Recent events</caption>
          <thead>
            <tr>
              <th scope="col">Article</th>
              <th scope="col">Matched</th>
              <th scope="col">Delivery</th>
            </tr>
          </thead>
          <tbody>
            {events.data.map((e) => (
              <EventRow key={e.id} event={e} />
            ))}
          </tbody>
        </table>
      ) : null}
    </li>
  );
}

const DELIVERY_LABELS: Record<AlertEventView['deliveryStatus'], string> = {
  none: 'in-app',
  pending: 'pending',
  delivered: 'delivered',
  failed: 'failed',
};

function EventRow({ event }: { event: AlertEventView }) {
  const href = safeHttpUrl(event.article?.url);
  const title = event.article?.title ?? `article ${event.articleId} (no longer stored)`;
  const retry = event.deliveryStatus === 'pending' && event.nextDeliveryAt ? `, next try ${formatDateTime(event.nextDeliveryAt)}` : '';
  return (
    <tr data-testid="alert-event">
      <td>
        {href ? (
          <a href={href} target="_blank" rel="noopener noreferrer">
            {title}
          </a>
        ) : (
          title
        )}
        {event.article ? <span className="muted"> · {event.article.outletId}</span> : null}
      </td>
      <td>{formatDateTime(event.createdAt)}</td>
      <td>
        <span className={`status-pill delivery-${event.deliveryStatus}`}>{DELIVERY_LABELS[event.deliveryStatus]}</span>
        {event.deliveryAttempts > 0 ? <span className="muted"> {event.deliveryAttempts} attempts{retry}</span> : null}
        {event.lastDeliveryError ? <span className="feed-error"> {event.lastDeliveryError}</span> : null}
      </td>
    </tr>
  );
}

function CreateAlertForm({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [query, setQuery] = useState('');
  const [webhookUrl, setWebhookUrl] = useState('');
  const [error, setError] = useState<ApiError>();
  const [submittedQuery, setSubmittedQuery] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = (): void => {
    const body = { name: name.trim(), query: query.trim(), ...(webhookUrl.trim() ? { webhookUrl: webhookUrl.trim() } : {}) };
    setBusy(true);
    setError(undefined);
    setSubmittedQuery(body.query);
    apiPost<unknown>('/api/alerts', body).then(
      () => {
        setName('');
        setQuery('');
        setWebhookUrl('');
        setBusy(false);
        onCreated();
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
    <form className="card form-grid" onSubmit={onSubmit} aria-labelledby="create-alert-title" noValidate>
      <h2 id="create-alert-title">New alert</h2>
      <label>
        Name
        <input type="text" required value={name} onChange={(e) => setName(e.target.value)} placeholder="White Helmets staging claims" data-testid="alert-name-input" />
      </label>
      <label>
        Query
        <input type="search" required value={query} onChange={(e) => setQuery(e.target.value)} placeholder={'actor:white-helmets AND (staged OR fake)'} data-testid="alert-query-input" />
      </label>
      <label>
        <span>
          Webhook URL <span className="muted">(optional)</span>
        </span>
        <input type="url" value={webhookUrl} onChange={(e) => setWebhookUrl(e.target.value)} placeholder="https://hooks.example.org/…" data-testid="alert-webhook-input" />
      </label>
      <div>
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create alert'}
        </button>
      </div>
      {error ? <QueryError error={error} query={error.param === 'query' ? submittedQuery : undefined} /> : null}
      {error?.status === 401 ? <TokenPrompt onSaved={submit} /> : null}
    </form>
  );
}
