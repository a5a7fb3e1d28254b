/**
 * An in-memory WorkQueue for producer-side tests: it keeps every enqueued article (deduplicated by id, as
 * the real queues do for pending jobs) and can be told to fail, to test what a producer does then.
 */
import type { ArticleBatchHandler, WorkQueue } from '../../core/work-queue.ts';
import type { RawArticle } from '../../core/types.ts';

export interface CollectingQueue extends WorkQueue {
  /** Articles accepted so far, in enqueue order, one per id. */
  readonly articles: RawArticle[];
  /** enqueue() calls so far, including failed ones. */
  readonly enqueueCalls: number;
  /** Makes the next `count` enqueue() calls reject with `error`. */
  failNext(count: number, error?: Error): void;
}

/** Builds a collecting queue. `consume` is not supported: nothing is ever processed. */
export function createCollectingQueue(): CollectingQueue {
  const articles: RawArticle[] = [];
  const ids = new Set<string>();
  let calls = 0;
  let failures = 0;
  let failure = new Error('collecting-queue: enqueue failed on purpose');
  return {
    kind: 'embedded',
    articles,
    get enqueueCalls() {
      return calls;
    },
    failNext(count, error) {
      failures = count;
      if (error) failure = error;
    },
    async enqueue(batch) {
      calls++;
      if (failures > 0) {
        failures--;
        throw failure;
      }
      for (const a of batch) {
        if (ids.has(a.id)) continue;
        ids.add(a.id);
        articles.push(a);
      }
    },
    consume(_handler: ArticleBatchHandler) {
      throw new Error('collecting-queue: consume is not supported');
    },
    async drained() {},
    async pending() {
      return 0;
    },
    async close() {},
  };
}
