/**
 * Alert webhook delivery: POSTs each due alert event as JSON, records the outcome, and schedules retries with
 * exponential backoff until the attempt budget is spent.
 */
import { request, type Dispatcher } from 'undici';
import type { Logger } from '../../core/logger.ts';
import type { AlertEvent } from '../../core/types.ts';
import type { ArticleStore, DeliveryOutcome } from '../../store/article-store.ts';
import type { CatalogStore } from '../../store/catalog-store.ts';

/** Sends one JSON body; resolves with the HTTP status, rejects on network errors and timeouts. */
export type WebhookPost = (url: string, body: string) => Promise<{ status: number }>;

/** The JSON body a webhook receives. */
export interface WebhookPayload {
  alert: { id: string; name: string; query: string };
  article: {
    id: string;
    title: string;
    url: string;
    outletId: string;
    publishedAt: string | null;
    date: string;
    language: string;
    actors: string[];
    themes: string[];
    keywords: string[];
  };
  event: { id: string; createdAt: string };
}

export interface WebhookDelivererDeps {
  store: ArticleStore;
  catalog: CatalogStore;
  logger: Logger;
  now: () => Date;
  /** @defaultValue an undici POST with `timeoutMs` */
  post?: WebhookPost;
  /** Attempts before an event is marked failed. @defaultValue 8 */
  maxAttempts?: number;
  /** Per-request timeout for the default `post`. @defaultValue 10000 */
  timeoutMs?: number;
  /** Events handled per `deliverDue` call. @defaultValue 50 */
  batchSize?: number;
}

/** First retry after 30 s, doubling: 30 s, 1 min, 2 min, ... so 8 attempts span about an hour. */
const BASE_BACKOFF_MS = 30_000;
/** No wait longer than an hour, so a receiver that recovers hears from us the same hour. */
const MAX_BACKOFF_MS = 3_600_000;
/** Error text kept per event: enough to diagnose, small enough for a table column. */
const MAX_ERROR_CHARS = 300;

/** Delay before the next attempt, given how many attempts (including the failed one) were made. */
export function retryDelayMs(attemptsMade: number): number {
  return Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, attemptsMade - 1));
}

/** The default transport: undici POST with a whole-request timeout; redirects are not followed. */
export function createUndiciPost(
  timeoutMs: number,
  userAgent = 'NarrativeMonitor-Webhook/0.1',
  /** Webhook URLs are user input: the composition root passes the SSRF-guarded agent here. */
  dispatcher?: Dispatcher,
): WebhookPost {
  return async (url, body) => {
    const res = await request(url, {
      ...(dispatcher ? { dispatcher } : {}),
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': userAgent },
      body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Drain (bounded) so the connection returns to the pool; the receiver's answer itself is not used.
    await res.body.dump({ limit: 64 * 1024 });
    return { status: res.statusCode };
  };
}

function errorText(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const text = typeof e?.code === 'string' ? `${e.code}: ${String(e.message)}` : String(e?.message ?? err);
  return text.slice(0, MAX_ERROR_CHARS);
}

/**
 * Builds the deliverer. `deliverDue()` sends every pending event whose next attempt is due (up to `batchSize`,
 * one at a time) and returns how many it attempted. A 2xx answer marks the event delivered; anything else is
 * retried after {@link retryDelayMs} until `maxAttempts`, then marked failed. An event whose alert has no
 * webhook any more, or whose alert or article is gone, fails at once.
 */
export function createWebhookDeliverer(deps: WebhookDelivererDeps): { deliverDue(): Promise<number> } {
  const log = deps.logger.child({ component: 'deliver-webhooks' });
  const maxAttempts = deps.maxAttempts ?? 8;
  const post = deps.post ?? createUndiciPost(deps.timeoutMs ?? 10_000);
  const batchSize = deps.batchSize ?? 50;

  async function deliverOne(event: AlertEvent): Promise<void> {
    const [alert, article] = await Promise.all([
      deps.catalog.getAlert(event.alertId),
      deps.store.getArticle(event.articleId),
    ]);
    if (!alert?.webhookUrl || !article) {
      const error = !alert ? 'alert deleted' : !alert.webhookUrl ? 'alert has no webhook' : 'article not found';
      await deps.store.recordDelivery(event.id, { ok: false, error, retryAt: null }, deps.now());
      log.warn({ eventId: event.id, alertId: event.alertId, error }, 'webhook delivery abandoned');
      return;
    }
    const payload: WebhookPayload = {
      alert: { id: alert.id, name: alert.name, query: alert.query },
      article: {
        id: article.id,
        title: article.title,
        url: article.url,
        outletId: article.outletId,
        publishedAt: article.publishedAt,
        date: article.date,
        language: article.language,
        actors: article.actors,
        themes: article.themes,
        keywords: article.keywords,
      },
      event: { id: event.id, createdAt: event.createdAt },
    };

    let outcome: DeliveryOutcome;
    try {
      const { status } = await post(alert.webhookUrl, JSON.stringify(payload));
      outcome = status >= 200 && status < 300 ? { ok: true } : failure(event, `http_${status}`);
    } catch (err) {
      outcome = failure(event, errorText(err));
    }
    await deps.store.recordDelivery(event.id, outcome, deps.now());
    if (outcome.ok) {
      log.info({ eventId: event.id, alertId: alert.id, articleId: article.id }, 'webhook delivered');
    } else {
      log.warn(
        { eventId: event.id, alertId: alert.id, attempts: event.deliveryAttempts + 1, error: outcome.error, retryAt: outcome.retryAt },
        outcome.retryAt ? 'webhook delivery failed; will retry' : 'webhook delivery failed permanently',
      );
    }
  }

  function failure(event: AlertEvent, error: string): DeliveryOutcome {
    const attemptsMade = event.deliveryAttempts + 1;
    const retryAt = attemptsMade >= maxAttempts ? null : new Date(deps.now().getTime() + retryDelayMs(attemptsMade));
    return { ok: false, error, retryAt };
  }

  return {
    async deliverDue() {
      const due = await deps.store.dueDeliveries(deps.now(), batchSize);
      for (const event of due) await deliverOne(event);
      return due.length;
    },
  };
}
