/**
 * Behaviour every WorkQueue adapter must have. Run by queue-embedded.test.ts and queue-bullmq.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RawArticle } from '../../core/types.ts';
import type { WorkQueue } from '../../core/work-queue.ts';
import { makeRawArticle } from '../helpers/raw-article.ts';

export interface QueueFactory {
  /** A fresh, empty queue; calling with the same `name` twice gives two handles on the same queue. */
  open(name: string): Promise<WorkQueue>;
  uniqueName(): string;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)),
  ]);
}

export function runWorkQueueContract(adapter: string, factory: QueueFactory): void {
  describe(`WorkQueue contract: ${adapter}`, () => {
    const opened: WorkQueue[] = [];
    const open = async (name: string): Promise<WorkQueue> => {
      const q = await factory.open(name);
      opened.push(q);
      return q;
    };
    afterEach(async () => {
      for (const q of opened.splice(0)) await q.close();
    });

    it('delivers every enqueued article exactly once, then reports drained', async () => {
      const q = await open(factory.uniqueName());
      const articles = Array.from({ length: 250 }, (_, i) => makeRawArticle(i));
      await q.enqueue(articles);
      const seen: string[] = [];
      q.consume(async (batch) => {
        seen.push(...batch.map((a) => a.id));
      });
      await withTimeout(q.drained(), 20_000, 'drain');
      expect(seen.sort()).toEqual(articles.map((a) => a.id).sort());
      expect(await q.pending()).toBe(0);
    });

    it('keeps one job per article id while it is pending', async () => {
      const q = await open(factory.uniqueName());
      const a = makeRawArticle(1);
      await q.enqueue([a, a]);
      await q.enqueue([a]);
      expect(await q.pending()).toBe(1);
      const seen: RawArticle[] = [];
      q.consume(async (batch) => {
        seen.push(...batch);
      });
      await withTimeout(q.drained(), 20_000, 'drain');
      expect(seen.map((x) => x.id)).toEqual([a.id]);
      expect(seen[0]).toEqual(a);
    });

    it('retries a failing article without holding back the others, then gives up on it', async () => {
      const q = await open(factory.uniqueName());
      const good = Array.from({ length: 5 }, (_, i) => makeRawArticle(100 + i));
      const poison = makeRawArticle(999, { title: 'poison' });
      await q.enqueue([...good, poison]);
      const stored = new Set<string>();
      let poisonAttempts = 0;
      q.consume(async (batch) => {
        if (batch.some((a) => a.title === 'poison')) {
          if (batch.length === 1) poisonAttempts++;
          throw new Error('cannot process poison');
        }
        for (const a of batch) stored.add(a.id);
      });
      await withTimeout(q.drained(), 30_000, 'drain');
      expect([...stored].sort()).toEqual(good.map((a) => a.id).sort());
      expect(stored.has(poison.id)).toBe(false);
      expect(poisonAttempts).toBe(2);
    });

    it('hands jobs enqueued through one handle to a consumer on another (restart or second process)', async () => {
      const name = factory.uniqueName();
      const producer = await open(name);
      const articles = Array.from({ length: 20 }, (_, i) => makeRawArticle(500 + i));
      await producer.enqueue(articles);
      await producer.close();
      opened.splice(opened.indexOf(producer), 1);
      const consumer = await open(name);
      const seen: string[] = [];
      consumer.consume(async (batch) => {
        seen.push(...batch.map((a) => a.id));
      });
      await withTimeout(consumer.drained(), 20_000, 'drain');
      expect(seen.sort()).toEqual(articles.map((a) => a.id).sort());
    });
  });
}
