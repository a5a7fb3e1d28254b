/**
 * The ReCOVery news corpus (../shared/corpus, CC BY-NC-SA) as per-outlet RSS feeds on a loopback server,
 * for benchmarks and tests. Read at run time from ../shared; never copied into the repository.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { slugify } from '../core/ids.ts';
import { renderRss } from '../bin/demo/render-rss.ts';

export const CORPUS_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../shared/corpus/recovery-news.jsonl.gz',
);

export interface CorpusArticle {
  id: string;
  outlet: string;
  url: string;
  published: string | null;
  title: string | null;
  text: string;
}

export function corpusAvailable(): boolean {
  return fs.existsSync(CORPUS_FILE);
}

export function readCorpus(): CorpusArticle[] {
  return gunzipSync(fs.readFileSync(CORPUS_FILE))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as CorpusArticle);
}

export interface CorpusFeedServer {
  feeds: Array<{ outletId: string; outletName: string; url: string; articles: number }>;
  close(): Promise<void>;
}

/** Serves one RSS feed per outlet; items without a title get a placeholder so the feed stays valid. */
export async function serveCorpusFeeds(articles: readonly CorpusArticle[]): Promise<CorpusFeedServer> {
  const byOutlet = new Map<string, CorpusArticle[]>();
  for (const a of articles) byOutlet.set(a.outlet, [...(byOutlet.get(a.outlet) ?? []), a]);
  const routes = new Map<string, Buffer>();
  const feeds: CorpusFeedServer['feeds'] = [];
  for (const [outlet, items] of byOutlet) {
    const outletId = slugify(outlet);
    routes.set(
      `/${outletId}.xml`,
      Buffer.from(
        renderRss(
          outlet,
          `https://${outletId}.example/`,
          items.map((a) => ({
            title: a.title ?? '(untitled)',
            text: a.text,
            url: a.url,
            // No date in the corpus row → no pubDate in the feed: the pipeline must fall back honestly.
            publishedAt: a.published ? new Date(`${a.published}T12:00:00Z`) : new Date(Number.NaN),
          })),
        ),
      ),
    );
    feeds.push({ outletId, outletName: outlet, url: '', articles: items.length });
  }
  const server = http.createServer((req, res) => {
    const body = routes.get(req.url ?? '');
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const f of feeds) f.url = `${base}/${f.outletId}.xml`;
  return { feeds, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
