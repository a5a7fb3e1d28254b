/**
 * Fetch bench: one full poll cycle through the real poller and a real SQLite catalog over 10,000 feeds on a
 * loopback server that adds 50 ms of latency, then 1,000 feeds of which 10 % are hostile. Measures wall
 * time, requests/s and peak RSS (sampled); the queue only counts, so the figures are fetch + parse + catalog.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { loadConfig } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import type { WorkQueue } from '../core/work-queue.ts';
import { createPoller, type PollerDeps, type PollSummary } from '../ingest/poller.ts';
import type { Resolver } from '../ingest/ssrf-guard.ts';
import { openSqliteStores } from '../store/sqlite/open-database.ts';
import { median, type BenchRow } from './table.ts';

/** Knobs of the fetch bench; every field has the default. */
export interface FetchBenchOptions {
  /** Feeds in the healthy cycle. @defaultValue 10 000 */
  feeds?: number;
  /** Feeds in the mixed cycle. @defaultValue 1 000 */
  mixedFeeds?: number;
  /** Share of hostile feeds in the mixed cycle. @defaultValue 0.1 */
  hostileShare?: number;
  /** Latency the server adds before every answer. @defaultValue 50 ms */
  latencyMs?: number;
  /** Poller concurrency. @defaultValue 64 */
  concurrency?: number;
  /**
   * Spread the feeds over this many host names (all resolving to 127.0.0.1 through a test resolver), for
   * pollers with a per-host limit. 1 = every feed on 127.0.0.1, a path per feed. @defaultValue 1
   */
  hosts?: number;
  /** Extra poller options (per-host politeness etc.), spread over the bench's own. */
  pollerOptions?: Partial<PollerDeps>;
}

const MB = 1024 * 1024;

function feedBody(n: number): string {
  const items = [1, 2, 3]
    .map(
      (i) =>
        `<item><title>Story ${i} of feed ${n}</title><link>https://news.example/${n}/${i}</link>` +
        `<guid>https://news.example/${n}/${i}</guid><pubDate>Wed, 01 May 2024 1${i}:00:00 GMT</pubDate>` +
        `<description>Summary of story ${i} from feed ${n}, long enough to look like a real teaser.</description></item>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed ${n}</title>` +
    `<link>https://news.example/${n}/</link><description>Bench feed</description>${items}</channel></rss>`;
}

const HOSTILE_KINDS = ['silent', 'trickle', 'endless', 'bomb', 'http500', 'http429', 'html', 'loop', 'http404', 'empty'] as const;
type HostileKind = (typeof HOSTILE_KINDS)[number];

interface BenchServer {
  port: number;
  requests(): number;
  close(): Promise<void>;
}

/** gzip of 256 MiB of zeros (~250 KB): well past the 16 MiB cap, quicker to build than the tests' 1 GiB. */
async function makeBomb(): Promise<Buffer> {
  const gzip = zlib.createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  const zeros = Buffer.alloc(MB);
  for (let i = 0; i < 256; i++) if (!gzip.write(zeros)) await new Promise((r) => gzip.once('drain', r));
  gzip.end();
  await done;
  return Buffer.concat(chunks);
}

async function startBenchServer(latencyMs: number, bomb: Buffer): Promise<BenchServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let count = 0;
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const hostile = (kind: HostileKind, res: http.ServerResponse): void => {
    switch (kind) {
      case 'silent':
        return;
      case 'trickle': {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        const t = setInterval(() => res.write(' '), 1000);
        timers.add(t);
        res.on('close', () => clearInterval(t));
        return;
      }
      case 'endless': {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        const chunk = Buffer.alloc(64 * 1024, 'a');
        const pump = (): void => {
          while (!res.destroyed && res.write(chunk)) {
            // fill the socket buffer
          }
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
        return;
      }
      case 'bomb':
        res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip', 'content-length': bomb.length });
        res.end(bomb);
        return;
      case 'http500':
        res.writeHead(500).end('oops');
        return;
      case 'http429':
        res.writeHead(429, { 'retry-after': '120' }).end('slow down');
        return;
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><body><p>not a feed</p></body></html>');
        return;
      case 'loop':
        res.writeHead(302, { location: res.req.url ?? '/' }).end();
        return;
      case 'http404':
        res.writeHead(404).end('not found');
        return;
      case 'empty':
        res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': 0 }).end();
        return;
    }
  };
  const server = http.createServer((req, res) => {
    count++;
    const [, kind, id] = (req.url ?? '/').split('/');
    later(latencyMs, () => {
      if (res.destroyed) return;
      if (kind === 'feeds') {
        const body = feedBody(Number(id));
        res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      } else if ((HOSTILE_KINDS as readonly string[]).includes(kind ?? '')) {
        hostile(kind as HostileKind, res);
      } else {
        res.writeHead(404).end();
      }
    });
  });
  server.keepAliveTimeout = 10_000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests: () => count,
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function countingQueue(): WorkQueue & { count(): number } {
  let n = 0;
  return {
    kind: 'embedded',
    async enqueue(batch) {
      n += batch.length;
    },
    consume() {
      throw new Error('bench: counting queue does not consume');
    },
    async drained() {},
    async pending() {
      return 0;
    },
    async close() {},
    count: () => n,
  };
}

interface CycleResult {
  seconds: number;
  requests: number;
  /** Process RSS when the cycle started (feed server, SQLite, loaded modules). */
  startRssMb: number;
  peakRssMb: number;
  summary: PollSummary;
  enqueued: number;
}

/** Adds the feeds to a fresh catalog, then times one pollAll() while sampling RSS. */
async function runCycle(
  logger: Logger,
  server: BenchServer,
  paths: string[],
  o: Required<Omit<FetchBenchOptions, 'pollerOptions'>> & { pollerOptions: Partial<PollerDeps> },
): Promise<CycleResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nm-bench-fetch-'));
  const stores = openSqliteStores(path.join(dir, 'nm.db'));
  try {
    const now = new Date();
    await stores.catalog.upsertOutlet({ id: 'bench', name: 'Bench', tags: [] });
    const hostOf = (i: number): string =>
      o.hosts <= 1 ? `127.0.0.1:${server.port}` : `h${i % o.hosts}.bench.test:${server.port}`;
    for (let i = 0; i < paths.length; i++) await stores.catalog.addFeed(`http://${hostOf(i)}${paths[i]}`, 'bench', now);
    const resolver: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    // The deployed deadlines and cap: what a real cycle pays for a hostile feed.
    const config = loadConfig({ ALLOW_PRIVATE_FEEDS: 'true' });
    const queue = countingQueue();
    const poller = createPoller({
      catalog: stores.catalog,
      queue,
      logger,
      now: () => now,
      fetchOptions: {
        timeoutMs: config.fetch.timeoutMs,
        connectTimeoutMs: config.fetch.connectTimeoutMs,
        headersTimeoutMs: config.fetch.headersTimeoutMs,
        maxBytes: config.fetch.maxBytes,
        userAgent: config.fetch.userAgent,
        allowPrivate: true,
        ...(o.hosts > 1 ? { resolver } : {}),
      },
      concurrency: o.concurrency,
      ...o.pollerOptions,
    });
    const before = server.requests();
    // Start every cycle from a collected heap (npm run bench passes --expose-gc), so the peak is the cycle's own.
    (globalThis as { gc?: () => void }).gc?.();
    const startRss = process.memoryUsage().rss;
    let peak = startRss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const t0 = performance.now();
    let summary: PollSummary;
    try {
      summary = await poller.pollAll();
    } finally {
      clearInterval(sampler);
    }
    const seconds = (performance.now() - t0) / 1000;
    peak = Math.max(peak, process.memoryUsage().rss);
    return { seconds, requests: server.requests() - before, startRssMb: startRss / MB, peakRssMb: peak / MB, summary, enqueued: queue.count() };
  } finally {
    await stores.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (n: number, digits = 1): string => n.toFixed(digits);

/**
 * Runs both cycles `runs` times and reports medians (peak RSS: the highest seen). Goal from issue 3:
 * 10,000 feeds in ≤ 60 s with peak RSS ≤ 300 MB.
 */
export async function benchFetch(logger: Logger, runs: number, options: FetchBenchOptions = {}): Promise<BenchRow[]> {
  const o = {
    feeds: options.feeds ?? 10_000,
    mixedFeeds: options.mixedFeeds ?? 1_000,
    hostileShare: options.hostileShare ?? 0.1,
    latencyMs: options.latencyMs ?? 50,
    concurrency: options.concurrency ?? 64,
    hosts: options.hosts ?? 1,
    pollerOptions: options.pollerOptions ?? {},
  };
  const server = await startBenchServer(o.latencyMs, await makeBomb());
  const rows: BenchRow[] = [];
  const setup = `concurrency ${o.concurrency}, ${o.hosts} host${o.hosts === 1 ? '' : 's'}, ${o.latencyMs} ms latency`;
  try {
    const healthyPaths = Array.from({ length: o.feeds }, (_, i) => `/feeds/${i}`);
    const big: CycleResult[] = [];
    for (let r = 0; r < runs; r++) big.push(await runCycle(logger, server, healthyPaths, o));
    const bigSeconds = median(big.map((c) => c.seconds));
    const bigPeak = Math.max(...big.map((c) => c.peakRssMb));
    const okFeeds = Math.min(...big.map((c) => c.summary.totals.ok));
    const label = `${o.feeds.toLocaleString('en-US')} feeds`;
    rows.push(
      { section: 'fetch', measure: `${label}: wall time (s)`, value: fmt(bigSeconds), note: `goal ≤ 60 s; ${setup}; N=${runs}` },
      { section: 'fetch', measure: `${label}: requests/s`, value: fmt(median(big.map((c) => c.requests / c.seconds)), 0) },
      { section: 'fetch', measure: `${label}: peak RSS (MB)`, value: fmt(bigPeak, 0), note: `goal ≤ 300 MB; whole process incl. the feed server, sampled every 20 ms; ${fmt(Math.min(...big.map((c) => c.startRssMb)), 0)} MB at cycle start` },
      { section: 'fetch', measure: `${label}: feeds ok`, value: `${okFeeds}/${o.feeds}`, note: `${big[0]?.enqueued ?? 0} articles enqueued` },
    );

    const hostileCount = Math.round(o.mixedFeeds * o.hostileShare);
    const mixedPaths = Array.from({ length: o.mixedFeeds }, (_, i) => {
      // Spread the hostile feeds evenly so they meet healthy ones in every batch of the poller.
      const stride = Math.max(1, Math.floor(o.mixedFeeds / Math.max(1, hostileCount)));
      const h = i % stride === 0 ? i / stride : -1;
      return h >= 0 && h < hostileCount ? `/${HOSTILE_KINDS[h % HOSTILE_KINDS.length]}/${i}` : `/feeds/${i}`;
    });
    const mixed: CycleResult[] = [];
    for (let r = 0; r < runs; r++) mixed.push(await runCycle(logger, server, mixedPaths, o));
    const mixedLabel = `${o.mixedFeeds.toLocaleString('en-US')} feeds, ${Math.round(o.hostileShare * 100)} % hostile`;
    const healthyExpected = o.mixedFeeds - hostileCount;
    const healthyOk = Math.min(...mixed.map((c) => c.summary.totals.ok));
    const codes = new Map<string, number>();
    for (const f of mixed[0]?.summary.feeds ?? []) if (f.errorCode) codes.set(f.errorCode, (codes.get(f.errorCode) ?? 0) + 1);
    rows.push(
      {
        section: 'fetch',
        measure: `${mixedLabel}: wall time (s)`,
        value: fmt(median(mixed.map((c) => c.seconds))),
        note: 'bounded by the 30 s total deadline (trickle) and 15 s headers deadline (silent)',
      },
      { section: 'fetch', measure: `${mixedLabel}: requests/s`, value: fmt(median(mixed.map((c) => c.requests / c.seconds)), 0) },
      { section: 'fetch', measure: `${mixedLabel}: peak RSS (MB)`, value: fmt(Math.max(...mixed.map((c) => c.peakRssMb)), 0) },
      {
        section: 'fetch',
        measure: `${mixedLabel}: healthy ok`,
        value: `${healthyOk}/${healthyExpected}`,
        note: [...codes].sort().map(([c, n]) => `${c}×${n}`).join(' '),
      },
    );
  } finally {
    await server.close();
  }
  return rows;
}
