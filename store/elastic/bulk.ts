/**
 * Bulk create-by-id with per-item outcomes: created, conflict (409 = the id exists: a duplicate, counted),
 * rejected-for-load (429, 503: retried alone with exponential backoff) or failed for a reason retrying cannot
 * fix (returned with the reason, for the caller's dead-letter record). Nothing is dropped silently.
 */
import { TransientError } from '../../core/errors.ts';
import type { ElasticClient } from './client.ts';

/** How rejected items are retried. */
export interface BulkRetryPolicy {
  /**
   * Attempts per item, the first included.
   * @defaultValue 5
   */
  maxAttempts: number;
  /** Delay before the first retry; doubles each time. @defaultValue 200 */
  baseDelayMs: number;
  /** @defaultValue 10000 */
  maxDelayMs: number;
  /** Waits; injected so tests check the timing without waiting. @defaultValue setTimeout */
  sleep: (ms: number) => Promise<void>;
  /** In [0, 1); scales the jitter. @defaultValue Math.random */
  random: () => number;
}

export const DEFAULT_RETRY_POLICY: BulkRetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/**
 * Delay before retry number `retry` (1 = first retry): "equal jitter" exponential backoff, half fixed and half
 * random, so a cluster shedding load is not hit again by every writer at the same instant.
 */
export function backoffDelay(retry: number, policy: Pick<BulkRetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * policy.random());
}

/** One document to create under a given id. */
export interface BulkDoc {
  id: string;
  doc: object;
}

/** An item Elasticsearch refused for a reason that retrying cannot fix. */
export interface BulkFailure {
  id: string;
  status: number;
  /** Elasticsearch error type, e.g. `document_parsing_exception`. */
  errorType: string;
  reason: string;
  attempts: number;
}

export interface BulkOutcome {
  /** Ids created by this call, in input order. */
  created: string[];
  /** Ids that already existed (409 version_conflict_engine_exception). */
  conflicts: string[];
  failed: BulkFailure[];
}

export interface BulkCreateOptions {
  /** `wait_for` makes the documents searchable before the call returns. @defaultValue false */
  refresh?: 'wait_for' | false;
  retry?: Partial<BulkRetryPolicy>;
}

/** Item statuses that mean "too busy now", never "this document is wrong". */
const RETRYABLE_STATUS = new Set([429, 503]);

interface BulkItemResult {
  status?: number;
  error?: { type?: string; reason?: string | null; caused_by?: { type?: string; reason?: string | null } };
}

/** The ndjson operations of one bulk request: a create action line then the document, per item. */
export function bulkCreateOperations(docs: readonly BulkDoc[]): object[] {
  return docs.flatMap(({ id, doc }) => [{ create: { _id: id } }, doc]);
}

function describe(error: BulkItemResult['error']): { type: string; reason: string } {
  const type = error?.type ?? 'unknown_error';
  const cause = error?.caused_by;
  const reason = [error?.reason ?? '', cause ? `caused by ${cause.type ?? '?'}: ${cause.reason ?? ''}` : '']
    .filter(Boolean)
    .join('; ');
  return { type, reason: reason || type };
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { meta?: { statusCode?: unknown } } | null)?.meta?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Creates `docs` in `index` (an alias with a write index) with `op_type: create`, retrying load rejections.
 * Throws TransientError when rejections outlast the retries, or the request itself fails: the caller's queue
 * retries the whole batch later, which is safe because every write is create-by-id.
 */
export async function bulkCreate(
  client: ElasticClient,
  index: string,
  docs: readonly BulkDoc[],
  options: BulkCreateOptions = {},
): Promise<BulkOutcome> {
  const policy: BulkRetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const outcome: BulkOutcome = { created: [], conflicts: [], failed: [] };
  const createdSet = new Set<string>();
  const conflictSet = new Set<string>();
  let pending = [...docs];
  for (let attempt = 1; pending.length > 0; attempt++) {
    const retry: BulkDoc[] = [];
    let lastRejection = '';
    let items: { create?: BulkItemResult }[] | null = null;
    try {
      const response = await client.bulk({
        index,
        operations: bulkCreateOperations(pending),
        ...(options.refresh ? { refresh: options.refresh } : {}),
      });
      items = response.items as { create?: BulkItemResult }[];
    } catch (err) {
      const status = statusOf(err);
      // The whole request shed for load (coordinating-node rejection, circuit breaker): retry all of it.
      if (status === undefined || !RETRYABLE_STATUS.has(status)) {
        throw new TransientError('elastic_bulk_failed', `elastic-store: bulk request to ${index} failed`, { cause: err });
      }
      retry.push(...pending);
      lastRejection = `HTTP ${status}`;
    }
    if (items !== null) {
      if (items.length !== pending.length) {
        throw new TransientError(
          'elastic_bulk_failed',
          `elastic-store: bulk to ${index} answered ${items.length} items for ${pending.length}`,
        );
      }
      items.forEach((item, i) => {
        const doc = pending[i];
        if (!doc) return;
        const result = item.create ?? {};
        const status = result.status ?? 0;
        if (status >= 200 && status < 300) {
          createdSet.add(doc.id);
        } else if (status === 409) {
          conflictSet.add(doc.id);
        } else if (RETRYABLE_STATUS.has(status)) {
          retry.push(doc);
          const { type, reason } = describe(result.error);
          lastRejection = `${status} ${type}: ${reason}`;
        } else {
          const { type, reason } = describe(result.error);
          outcome.failed.push({ id: doc.id, status, errorType: type, reason, attempts: attempt });
        }
      });
    }
    if (retry.length > 0 && attempt >= policy.maxAttempts) {
      throw new TransientError(
        'elastic_bulk_rejected',
        `elastic-store: ${retry.length} documents still rejected by ${index} after ${attempt} attempts (${lastRejection})`,
        { details: { ids: retry.map((d) => d.id) } },
      );
    }
    if (retry.length > 0) await policy.sleep(backoffDelay(attempt, policy));
    pending = retry;
  }
  const reported = new Set<string>();
  for (const { id } of docs) {
    if (reported.has(id)) continue;
    reported.add(id);
    if (createdSet.has(id)) outcome.created.push(id);
    else if (conflictSet.has(id)) outcome.conflicts.push(id);
  }
  return outcome;
}
