import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedQueue, listFailedJobs } from '../../worker/queue/embedded-queue.ts';
import { makeRawArticle } from '../helpers/raw-article.ts';
import { silentLogger } from '../helpers/silent-logger.ts';
import { runWorkQueueContract } from './work-queue.contract.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nm-queue-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;

runWorkQueueContract('embedded (SQLite journal)', {
  uniqueName: () => `q${++n}`,
  open: async (name) =>
    createEmbeddedQueue({ path: path.join(dir, `${name}.db`), logger: silentLogger, maxAttempts: 2, retryBaseMs: 50 }),
});

describe('embedded queue journal', () => {
  it('keeps a batch whose processing was interrupted and replays it after restart', async () => {
    const file = path.join(dir, 'crash.db');
    const first = createEmbeddedQueue({ path: file, logger: silentLogger });
    const articles = Array.from({ length: 10 }, (_, i) => makeRawArticle(i));
    await first.enqueue(articles);
    let release: () => void = () => {};
    let started: () => void = () => {};
    const startedP = new Promise<void>((r) => (started = r));
    first.consume(
      () =>
        new Promise<void>((resolve) => {
          started();
          release = resolve; // never called before "the crash"
        }),
    );
    await startedP;
    // The process "dies" mid-batch: a second handle on the journal still sees every job as pending.
    const second = createEmbeddedQueue({ path: file, logger: silentLogger });
    expect(await second.pending()).toBe(10);
    const seen: string[] = [];
    second.consume(async (batch) => {
      seen.push(...batch.map((a) => a.id));
    });
    await second.drained();
    expect(seen.sort()).toEqual(articles.map((a) => a.id).sort());
    release();
    await first.close();
    await second.close();
  });

  it('parks a job that keeps failing, with its last error', async () => {
    const file = path.join(dir, 'failed.db');
    const q = createEmbeddedQueue({ path: file, logger: silentLogger, maxAttempts: 3, retryBaseMs: 10 });
    const a = makeRawArticle(7);
    await q.enqueue([a]);
    q.consume(async () => {
      throw new Error('store unavailable');
    });
    await q.drained();
    await q.close();
    expect(listFailedJobs(file)).toEqual([{ id: a.id, attempts: 3, lastError: 'store unavailable' }]);
  });
});
