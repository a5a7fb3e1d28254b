/**
 * BullMQ work queue for scale-out: ingest processes enqueue into Redis, any number of worker processes
 * consume. The job id is the article id, so an article re-polled while its job is pending is not queued
 * twice. BullMQ (open source) has no batch consumers, so jobs arriving close together are grouped into
 * one handler call — one store transaction — and each job settles with its batch.
 */
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../../core/logger.ts';
import { RawArticleSchema, type RawArticle } from '../../core/types.ts';
import { QUEUE_NAMES, type ArticleBatchHandler, type WorkQueue } from '../../core/work-queue.ts';

export interface BullmqQueueOptions {
  redisUrl: string;
  /** Redis key prefix; lets deployments and tests share one Redis. */
  prefix: string;
  logger: Logger;
  /** Jobs the worker holds at once, i.e. the largest batch. @defaultValue 100 */
  concurrency?: number;
  /** How long the first job of a batch waits for company. @defaultValue 25 */
  batchWindowMs?: number;
  /** @defaultValue 5 */
  attempts?: number;
  /** First retry delay, doubling each attempt. @defaultValue 1000 */
  retryDelayMs?: number;
}

/** addBulk in chunks: measured fastest around 1,000 jobs per call (../shared/notes/stack.md §5c). */
const ENQUEUE_CHUNK = 1000;

interface PendingJob {
  article: RawArticle;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export function createBullmqQueue(options: BullmqQueueOptions): WorkQueue {
  const log = options.logger.child({ component: 'bullmq-queue' });
  const concurrency = options.concurrency ?? 100;
  const batchWindowMs = options.batchWindowMs ?? 25;
  // BullMQ workers block on Redis; ioredis must not give up on those commands.
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue<RawArticle>(QUEUE_NAMES.articles, {
    connection,
    prefix: options.prefix,
    defaultJobOptions: {
      attempts: options.attempts ?? 5,
      backoff: { type: 'exponential', delay: options.retryDelayMs ?? 1000 },
      // Completed jobs are dropped so Redis memory stays bounded; failed ones are kept for inspection.
      removeOnComplete: true,
      removeOnFail: { count: 10_000 },
    },
  });
  let worker: Worker<RawArticle> | null = null;
  let workerConnection: Redis | null = null;

  function batcher(handler: ArticleBatchHandler): (article: RawArticle) => Promise<void> {
    let pending: PendingJob[] = [];
    let timer: NodeJS.Timeout | null = null;
    const flush = async (): Promise<void> => {
      timer = null;
      const batch = pending;
      pending = [];
      try {
        await handler(batch.map((p) => p.article));
        for (const p of batch) p.resolve();
      } catch (err) {
        if (batch.length === 1) {
          batch[0]?.reject(err);
          return;
        }
        // One poisoned article must not fail its whole batch: settle each job on its own.
        for (const p of batch) {
          await handler([p.article]).then(p.resolve, p.reject);
        }
      }
    };
    return (article) =>
      new Promise<void>((resolve, reject) => {
        pending.push({ article, resolve, reject });
        if (pending.length >= concurrency) {
          if (timer) clearTimeout(timer);
          void flush();
        } else if (!timer) {
          timer = setTimeout(() => void flush(), batchWindowMs);
        }
      });
  }

  async function counts(): Promise<number> {
    const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    return Object.values(c).reduce((a, b) => a + b, 0);
  }

  return {
    kind: 'bullmq',
    async enqueue(articles) {
      for (let i = 0; i < articles.length; i += ENQUEUE_CHUNK) {
        const chunk = articles.slice(i, i + ENQUEUE_CHUNK);
        await queue.addBulk(chunk.map((a) => ({ name: 'article', data: a, opts: { jobId: a.id } })));
      }
    },
    consume(handler) {
      if (worker) throw new Error('bullmq-queue: only one consumer per queue');
      const submit = batcher(handler);
      workerConnection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
      worker = new Worker<RawArticle>(
        QUEUE_NAMES.articles,
        async (job: Job<RawArticle>) => {
          const parsed = RawArticleSchema.safeParse(job.data);
          if (!parsed.success) throw new UnrecoverableError(`invalid article payload: ${parsed.error.message}`);
          await submit(parsed.data);
        },
        { connection: workerConnection, prefix: options.prefix, concurrency },
      );
      worker.on('failed', (job, err) => log.warn({ articleId: job?.id, attempts: job?.attemptsMade, err }, 'article job failed'));
      worker.on('error', (err) => log.error({ err }, 'bullmq worker error'));
    },
    async drained() {
      // Another process may be the consumer, so there is no local event to wait for: poll Redis.
      while ((await counts()) > 0) await new Promise((r) => setTimeout(r, 100));
    },
    pending: counts,
    async close() {
      await worker?.close();
      await queue.close();
      workerConnection?.disconnect();
      connection.disconnect();
    },
  };
}
