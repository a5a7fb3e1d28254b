/**
 * The two ways to run, one result: `ingest --once` in embedded mode, and `ingest --once` + `worker` as two
 * processes over the real Redis, store exactly the same article ids from the same feeds. Real processes,
 * real SQLite files, a real local feed server; a failing feed is recorded without stopping the others.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(REPO, 'bin/narrative-monitor.js');
const FIXTURES = path.resolve(REPO, '../shared/fixtures/feeds');
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let server: FeedServer;
let dir: string;
let watchlist: string;

function run(args: string[], env: Record<string, string>): ChildProcess & { done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'error', ALLOW_PRIVATE_FEEDS: 'true', WATCHLIST: watchlist, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return Object.assign(child, { done });
}

function storedIds(dataDir: string): string[] {
  const db = new Database(path.join(dataDir, 'narrative-monitor.db'), { readonly: true });
  try {
    return (db.prepare('SELECT id FROM articles ORDER BY id').all() as Array<{ id: string }>).map((r) => r.id);
  } finally {
    db.close();
  }
}

function feedStates(dataDir: string): Map<string, { lastStatus: string; lastErrorCode: string | null }> {
  const db = new Database(path.join(dataDir, 'narrative-monitor.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT url, last_status AS lastStatus, last_error_code AS lastErrorCode FROM feeds').all() as Array<{
      url: string;
      lastStatus: string;
      lastErrorCode: string | null;
    }>;
    return new Map(rows.map((r) => [r.url, r]));
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  server = await startFeedServer({
    '/guardian.rss': { file: path.join(FIXTURES, 'rss-parser/input/guardian.rss'), contentType: 'application/rss+xml' },
    '/tpm.atom': { file: path.join(FIXTURES, 'node-feedparser/tpm.atom'), contentType: 'application/atom+xml' },
    '/iconv.xml': { file: path.join(FIXTURES, 'node-feedparser/iconv.xml'), contentType: 'application/rss+xml' },
    // The same Guardian feed under a second URL of the same outlet: its articles must be stored once.
    '/guardian-world.rss': { file: path.join(FIXTURES, 'rss-parser/input/guardian.rss'), contentType: 'application/rss+xml' },
    '/broken.xml': { status: 500, body: 'upstream exploded' },
  });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nm-modes-'));
  watchlist = path.join(dir, 'watchlist.yaml');
  fs.writeFileSync(
    watchlist,
    [
      'outlets:',
      '  - name: The Guardian',
      `    feeds: [${server.url('/guardian.rss')}, ${server.url('/guardian-world.rss')}]`,
      '  - name: Talking Points Memo',
      `    feeds: [${server.url('/tpm.atom')}]`,
      '  - name: oren.ru',
      `    feeds: [${server.url('/iconv.xml')}]`,
      '  - name: Broken Outlet',
      `    feeds: [${server.url('/broken.xml')}]`,
      'actors:',
      '  - name: Donald Trump',
      '    type: person',
      '    aliases: [Trump]',
      'themes:',
      '  - name: Elections',
      '    query: election OR elections OR vote',
    ].join('\n'),
  );
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('embedded and BullMQ modes', () => {
  it('store the same article ids; the failing feed is recorded and the others ingested', async () => {
    const embeddedDir = path.join(dir, 'embedded');
    const embedded = await run(['ingest', '--once'], { DATA_DIR: embeddedDir }).done;
    expect(embedded.stderr).toBe('');
    expect(embedded.code).toBe(0);
    expect(embedded.stdout).toMatch(/polled 5 feeds: 4 ok, 0 unchanged, 1 failed/);
    const embeddedIds = storedIds(embeddedDir);
    // guardian.rss has 55 items, tpm.atom 20, iconv.xml 10 (MANIFEST); the second Guardian URL adds none.
    expect(embeddedIds.length).toBe(85);
    const states = feedStates(embeddedDir);
    expect(states.get(server.url('/broken.xml'))).toMatchObject({ lastStatus: 'error', lastErrorCode: 'http_500' });
    expect(states.get(server.url('/tpm.atom'))?.lastStatus).toBe('ok');

    const prefix = `nmtest-${randomUUID().slice(0, 8)}`;
    const redisEnv = { REDIS_URL, QUEUE_PREFIX: prefix };
    const bullDir = path.join(dir, 'bullmq');
    // Both processes open the same data directory, as containers sharing a volume do.
    const worker = run(['worker'], { DATA_DIR: bullDir, ...redisEnv });
    try {
      const ingest = await run(['ingest', '--once'], { DATA_DIR: bullDir, ...redisEnv }).done;
      expect(ingest.code).toBe(0);
      expect(ingest.stdout).toMatch(/polled 5 feeds: 4 ok/);
    } finally {
      worker.kill('SIGTERM');
      const w = await worker.done;
      expect(w.code).toBe(0);
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
    expect(storedIds(bullDir)).toEqual(embeddedIds);
  });

  it('re-polling unchanged feeds adds no article', async () => {
    const dataDir = path.join(dir, 'repoll');
    expect((await run(['ingest', '--once'], { DATA_DIR: dataDir }).done).code).toBe(0);
    const first = storedIds(dataDir);
    const again = await run(['ingest', '--once'], { DATA_DIR: dataDir }).done;
    expect(again.code).toBe(0);
    expect(storedIds(dataDir)).toEqual(first);
  });

  it('stops with a message naming a bad environment value', async () => {
    const result = await run(['ingest', '--once'], { DATA_DIR: path.join(dir, 'bad'), PORT: 'eighty', STORE: 'mongo' }).done;
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/PORT="eighty"/);
    expect(result.stderr).toMatch(/STORE="mongo"/);
  });
});
