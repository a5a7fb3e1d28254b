/**
 * Embedded work queue: in-process, but journaled in its own SQLite file so that articles fetched and
 * enqueued are not lost when the process dies before storing them. A job stays in the journal until its
 * batch is committed to the store; storage is idempotent by article id, so a replay after a crash
 * duplicates nothing.
 */
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../core/logger.ts';
import { RawArticleSchema, type RawArticle } from '../../core/types.ts';
import type { ArticleBatchHandler, WorkQueue } from '../../core/work-queue.ts';

export interface EmbeddedQueueOptions {
  /** Journal file; ':memory:' gives a non-durable queue (tests, throwaway runs). */
  path: string;
  logger: Logger;
  /** Articles handed to the handler at once (one store transaction). @defaultValue 200 */
  batchSize?: number;
  /** Attempts before a job is parked as failed. @defaultValue 5 */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt. @defaultValue 1000 */
  retryBaseMs?: number;
  now?: () => number;
}

interface JobRow {
  id: string;
  payload: string;
  attempts: number;
}

export function createEmbeddedQueue(options: EmbeddedQueueOptions): WorkQueue {
  const log = options.logger.child({ component: 'embedded-queue' });
  const batchSize = options.batchSize ?? 200;
  const maxAttempts = options.maxAttempts ?? 5;
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const now = options.now ?? Date.now;

  if (options.path !== ':memory:') fs.mkdirSync(path.dirname(options.path), { recursive: true });
  const db: SqliteDatabase = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // The journal has one table and is private to this adapter, so it manages its own schema.
  db.exec(`CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    available_at INTEGER NOT NULL,
    enqueued_seq INTEGER NOT NULL,
    last_error TEXT
  );
  CREATE INDEX IF NOT EXISTS jobs_ready ON jobs (state, available_at, enqueued_seq);`);

  const insertJob = db.prepare(
    `INSERT INTO jobs (id, payload, available_at, enqueued_seq)
     VALUES (?, ?, ?, (SELECT COALESCE(MAX(enqueued_seq), 0) + 1 FROM jobs))
     ON CONFLICT(id) DO NOTHING`,
  );
  const takeReady = db.prepare(
    `SELECT id, payload, attempts FROM jobs WHERE state = 'waiting' AND available_at <= ?
     ORDER BY enqueued_seq LIMIT ?`,
  );
  const deleteJob = db.prepare('DELETE FROM jobs WHERE id = ?');
  const retryJob = db.prepare('UPDATE jobs SET attempts = ?, available_at = ?, last_error = ? WHERE id = ?');
  const failJob = db.prepare("UPDATE jobs SET state = 'failed', attempts = ?, last_error = ? WHERE id = ?");
  const countWaiting = db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE state = 'waiting'");
  const nextAvailable = db.prepare("SELECT MIN(available_at) AS t FROM jobs WHERE state = 'waiting'");

  let handler: ArticleBatchHandler | null = null;
  let running = false;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let drainWaiters: Array<() => void> = [];

  const waitingCount = (): number => (countWaiting.get() as { n: number }).n;

  function settleDrainWaiters(): void {
    if (waitingCount() > 0) return;
    const waiters = drainWaiters;
    drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  function schedule(delayMs: number): void {
    if (closed || !handler) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void pump();
    }, Math.max(0, delayMs));
  }

  /** Marks jobs done or schedules their retry, one transaction for the whole outcome. */
  const settle = db.transaction((done: string[], failed: Array<{ job: JobRow; error: string }>) => {
    for (const id of done) deleteJob.run(id);
    for (const { job, error } of failed) {
      const attempts = job.attempts + 1;
      if (attempts >= maxAttempts) failJob.run(attempts, error, job.id);
      else retryJob.run(attempts, now() + retryBaseMs * 2 ** (attempts - 1), error, job.id);
    }
  });

  async function runBatch(jobs: JobRow[], process: ArticleBatchHandler): Promise<void> {
    const parsed: Array<{ job: JobRow; article: RawArticle }> = [];
    const invalid: Array<{ job: JobRow; error: string }> = [];
    for (const job of jobs) {
      const result = RawArticleSchema.safeParse(JSON.parse(job.payload));
      if (result.success) parsed.push({ job, article: result.data });
      else invalid.push({ job: { ...job, attempts: maxAttempts }, error: `invalid payload: ${result.error.message}` });
    }
    try {
      if (parsed.length > 0) await process(parsed.map((p) => p.article));
      settle(parsed.map((p) => p.job.id), invalid);
    } catch (err) {
      if (parsed.length === 1) {
        const message = err instanceof Error ? err.message : String(err);
        log.warn({ articleId: parsed[0]?.job.id, err }, 'article job failed');
        settle([], [...invalid, { job: parsed[0]!.job, error: message }]);
        return;
      }
      // One poisoned article must not hold back the rest of its batch: retry them one by one.
      settle([], invalid);
      for (const p of parsed) await runBatch([p.job], process);
    }
  }

  async function pump(): Promise<void> {
    if (running || closed || !handler) return;
    running = true;
    try {
      for (;;) {
        if (closed) return;
        const jobs = takeReady.all(now(), batchSize) as JobRow[];
        if (jobs.length === 0) break;
        await runBatch(jobs, handler);
      }
      const next = (nextAvailable.get() as { t: number | null }).t;
      if (next !== null) schedule(next - now());
    } finally {
      running = false;
      settleDrainWaiters();
    }
  }

  const enqueueAll = db.transaction((articles: readonly RawArticle[]) => {
    for (const a of articles) insertJob.run(a.id, JSON.stringify(a), now());
  });

  return {
    kind: 'embedded',
    async enqueue(articles) {
      if (closed) throw new Error('embedded-queue: enqueue after close');
      enqueueAll(articles);
      if (handler && !running) schedule(0);
    },
    consume(process) {
      if (handler) throw new Error('embedded-queue: only one consumer per queue');
      handler = process;
      schedule(0);
    },
    drained() {
      if (waitingCount() === 0 && !running) return Promise.resolve();
      return new Promise<void>((resolve) => drainWaiters.push(resolve));
    },
    async pending() {
      return waitingCount();
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      while (running) await new Promise((r) => setTimeout(r, 10));
      db.close();
    },
  };
}

/** Jobs parked after maxAttempts, for the health view and for replay by hand. */
export function listFailedJobs(journalPath: string): Array<{ id: string; attempts: number; lastError: string | null }> {
  const db = new Database(journalPath, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare("SELECT id, attempts, last_error AS lastError FROM jobs WHERE state = 'failed' ORDER BY enqueued_seq")
      .all() as Array<{ id: string; attempts: number; lastError: string | null }>;
  } finally {
    db.close();
  }
}
