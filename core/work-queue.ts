/**
 * The work-queue port between ingest (producer) and worker (consumer). Adapters: in-process
 * (embedded default) and BullMQ on Redis (scale-out). The job id is always the article id, so a
 * re-poll or replay of the same article never creates a second job while the first is pending.
 */
import type { RawArticle } from './types.ts';

/** Queue names are declared here and nowhere else. */
export const QUEUE_NAMES = { articles: 'articles' } as const;

/** Processes one batch of articles; throwing makes the whole batch retry (storage is idempotent). */
export type ArticleBatchHandler = (articles: RawArticle[]) => Promise<void>;

export interface WorkQueue {
  readonly kind: 'embedded' | 'bullmq';
  /** Enqueue; duplicates of a pending job id are dropped by the queue. */
  enqueue(articles: readonly RawArticle[]): Promise<void>;
  /** Start consuming. Only one consumer per WorkQueue object. */
  consume(handler: ArticleBatchHandler): void;
  /** Resolves when every job enqueued so far has been processed (completed or permanently failed). */
  drained(): Promise<void>;
  /** Jobs waiting or in progress. */
  pending(): Promise<number>;
  close(): Promise<void>;
}
