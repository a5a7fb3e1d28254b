/**
 * Pipeline throughput: the ReCOVery corpus as 55 per-outlet feeds on a loopback server, ingested end to end
 * (fetch → parse → normalize → queue → enrich → store → alerts) by the embedded queue and by BullMQ on the
 * local Redis, against a parse-and-normalize-only baseline over the same feed bodies in the same process.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { parseWatchlist } from '../core/watchlist.ts';
import { normalizeItems } from '../ingest/normalize-item.ts';
import { parseFeed } from '../ingest/parse-feed.ts';
import { applyWatchlist } from '../store/apply-watchlist.ts';
import { createFeedPoller, openRuntime, REPO_ROOT, startWorker } from '../bin/runtime.ts';
import { runDemo } from '../bin/demo/run-demo.ts';
import { readCorpus, serveCorpusFeeds, type CorpusFeedServer } from './corpus-feeds.ts';
import { median, type BenchRow } from './table.ts';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function parseOnly(server: CorpusFeedServer, now: Date): Promise<{ articles: number; seconds: number }> {
  const bodies = await Promise.all(server.feeds.map(async (f) => ({ f, body: Buffer.from(await (await fetch(f.url)).arrayBuffer()) })));
  const t0 = performance.now();
  let articles = 0;
  for (const { f, body } of bodies) {
    const parsed = await parseFeed(body, 'application/rss+xml', f.url);
    articles += normalizeItems(parsed, { feedId: f.outletId, outletId: f.outletId, feedUrl: f.url, now }).length;
  }
  return { articles, seconds: (performance.now() - t0) / 1000 };
}

async function ingestOnce(
  server: CorpusFeedServer,
  logger: Logger,
  env: Record<string, string>,
): Promise<{ articles: number; seconds: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nm-bench-'));
  const config = loadConfig({ ...env, DATA_DIR: dataDir, ALLOW_PRIVATE_FEEDS: 'true', LOG_LEVEL: 'silent' });
  const runtime = openRuntime(config, logger);
  try {
    const base = parseWatchlist(fs.readFileSync(path.join(REPO_ROOT, 'watchlist.yaml'), 'utf8'));
    await applyWatchlist(
      runtime.stores.catalog,
      { ...base, outlets: server.feeds.map((f) => ({ outlet: { id: f.outletId, name: f.outletName, tags: [] }, feeds: [f.url] })) },
      new Date(),
    );
    const worker = startWorker(runtime);
    const t0 = performance.now();
    await createFeedPoller(runtime).pollAll();
    await runtime.queue.drained();
    const seconds = (performance.now() - t0) / 1000;
    await worker.stop();
    return { articles: await runtime.stores.articles.count(), seconds };
  } finally {
    await runtime.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function clearPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
}

export async function benchPipeline(logger: Logger, runs: number): Promise<BenchRow[]> {
  const corpus = readCorpus();
  const server = await serveCorpusFeeds(corpus);
  const rows: BenchRow[] = [];
  try {
    const now = new Date();
    const base: number[] = [];
    let baseArticles = 0;
    for (let i = 0; i < runs; i++) {
      const r = await parseOnly(server, now);
      baseArticles = r.articles;
      base.push(r.articles / r.seconds);
    }
    const baseRate = median(base);
    rows.push({ section: 'pipeline', measure: 'baseline: parse + normalize only', value: `${baseRate.toFixed(0)} articles/s`, ratio: '1.00', note: `${baseArticles} articles, ${server.feeds.length} feeds, N=${runs}` });

    const embedded: number[] = [];
    let stored = 0;
    for (let i = 0; i < runs; i++) {
      const r = await ingestOnce(server, logger, {});
      stored = r.articles;
      embedded.push(r.articles / r.seconds);
    }
    const embeddedRate = median(embedded);
    rows.push({ section: 'pipeline', measure: 'embedded: fetch → store, end to end', value: `${embeddedRate.toFixed(0)} articles/s`, ratio: (embeddedRate / baseRate).toFixed(3), note: `${stored} stored, N=${runs}` });

    const bull: number[] = [];
    for (let i = 0; i < runs; i++) {
      const prefix = `nmbench-${randomUUID().slice(0, 8)}`;
      try {
        const r = await ingestOnce(server, logger, { REDIS_URL, QUEUE_PREFIX: prefix });
        stored = r.articles;
        bull.push(r.articles / r.seconds);
      } finally {
        await clearPrefix(prefix);
      }
    }
    const bullRate = median(bull);
    rows.push({
      section: 'pipeline',
      measure: 'BullMQ (Redis): fetch → store, end to end',
      value: `${bullRate.toFixed(0)} articles/s`,
      ratio: (bullRate / baseRate).toFixed(3),
      note: `${stored} stored; producer + worker in one process; ${(bullRate / embeddedRate).toFixed(2)}× embedded; N=${runs}`,
    });
  } finally {
    await server.close();
  }

  const demo: number[] = [];
  let demoArticles = 0;
  for (let i = 0; i < runs; i++) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nm-bench-demo-'));
    const out = process.stdout.write.bind(process.stdout);
    // The demo prints its banner; keep the bench's table clean.
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      await runDemo({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' }, logger, {
        once: true,
        onReady: (info) => {
          demo.push(info.seconds);
          demoArticles = info.articles;
        },
      });
    } finally {
      process.stdout.write = out;
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  rows.push({ section: 'demo', measure: 'demo start → populated dashboard', value: `${median(demo).toFixed(2)} s`, note: `${demoArticles} articles, in-process, N=${runs}` });
  return rows;
}
