/**
 * The demo's local feed server: real-world fixture feeds (infra/demo/feeds), the seed article as a feed
 * (when ../shared is beside the checkout) and the synthetic narrative feeds, on 127.0.0.1 only.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderRss } from './render-rss.ts';
import { generateSyntheticItems, SYNTHETIC_OUTLETS, type SyntheticOutlet } from './synthetic-narrative.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE_DIR = path.join(REPO_ROOT, 'infra/demo/feeds');
const SEED_FILE = path.resolve(REPO_ROOT, '../shared/fixtures/seed/white-helmets-idlib-2018.txt');

/** A real outlet whose feed is in the fixture bundle. */
interface FixtureOutlet extends SyntheticOutlet {
  file: string;
}

const FIXTURE_OUTLETS: FixtureOutlet[] = [
  { id: 'the-guardian', name: 'The Guardian', language: 'en', country: 'GB', tags: ['mainstream'], file: 'rss-parser/guardian.rss' },
  { id: 'heise', name: 'heise developer', language: 'de', country: 'DE', tags: ['tech'], file: 'rss-parser/heise.atom' },
  { id: 'jornal-de-noticias', name: 'Jornal de Notícias', language: 'pt', country: 'PT', tags: ['mainstream'], file: 'rss-parser/encoding.rss' },
  { id: 'talking-points-memo', name: 'Talking Points Memo', language: 'en', country: 'US', tags: ['mainstream'], file: 'node-feedparser/tpm.atom' },
  { id: 'the-new-york-times', name: 'The New York Times', language: 'en', country: 'US', tags: ['mainstream'], file: 'node-feedparser/category-feed.xml' },
  { id: 'washington-post', name: 'The Washington Post', language: 'en', country: 'US', tags: ['mainstream'], file: 'node-feedparser/wapowellness.xml' },
  { id: 'oren-ru', name: 'oren.ru', language: 'ru', country: 'RU', tags: ['regional'], file: 'node-feedparser/iconv.xml' },
  { id: 'aktuality-sk', name: 'Aktuality.sk', language: 'sk', country: 'SK', tags: ['mainstream'], file: 'rsparser/aktuality.rss' },
  { id: 'il-giornale', name: 'Il Giornale', language: 'it', country: 'IT', tags: ['mainstream'], file: 'feed-rs/rss_2.0_ilgiornale.xml' },
];

const SEED_OUTLET: SyntheticOutlet = {
  id: 'seed-state-media',
  name: 'Seed article outlet (state media, 2018)',
  language: 'en',
  country: 'RU',
  tags: ['state-affiliated'],
};

export interface DemoFeed {
  outlet: SyntheticOutlet;
  url: string;
}

export interface DemoFeedServer {
  feeds: DemoFeed[];
  /** False when ../shared/fixtures/seed was not found. */
  seedIncluded: boolean;
  close(): Promise<void>;
}

function seedFeed(): string | null {
  if (!fs.existsSync(SEED_FILE)) return null;
  const [title = '', ...body] = fs.readFileSync(SEED_FILE, 'utf8').split('\n');
  return renderRss(SEED_OUTLET.name, 'https://seed-state-media.example/', [
    {
      title: title.trim(),
      text: body.join('\n').trim(),
      url: 'https://seed-state-media.example/2018/02/13/white-helmets-provocation-idlib',
      // The seed story ran on 13 February 2018 (it reports the ministry's statement of 12 February).
      publishedAt: new Date(Date.UTC(2018, 1, 13, 9, 0, 0)),
    },
  ]);
}

export async function startDemoFeedServer(): Promise<DemoFeedServer> {
  const routes = new Map<string, { body: Buffer; type: string }>();
  for (const f of FIXTURE_OUTLETS) {
    routes.set(`/fixtures/${f.file}`, { body: fs.readFileSync(path.join(FIXTURE_DIR, f.file)), type: 'application/xml' });
  }
  const items = generateSyntheticItems();
  for (const o of SYNTHETIC_OUTLETS) {
    const own = items.filter((i) => i.outletId === o.id);
    routes.set(`/synthetic/${o.id}.xml`, {
      body: Buffer.from(renderRss(o.name, `https://${o.id}.example/`, own)),
      type: 'application/rss+xml; charset=utf-8',
    });
  }
  const seed = seedFeed();
  if (seed) routes.set('/seed.xml', { body: Buffer.from(seed), type: 'application/rss+xml; charset=utf-8' });

  const server = http.createServer((req, res) => {
    const route = routes.get((req.url ?? '/').split('?')[0] ?? '/');
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': route.type, 'content-length': route.body.length }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const feeds: DemoFeed[] = [
    ...FIXTURE_OUTLETS.map((o) => ({ outlet: o, url: `${base}/fixtures/${o.file}` })),
    ...SYNTHETIC_OUTLETS.map((o) => ({ outlet: o, url: `${base}/synthetic/${o.id}.xml` })),
    ...(seed ? [{ outlet: SEED_OUTLET, url: `${base}/seed.xml` }] : []),
  ];
  return {
    feeds,
    seedIncluded: seed !== null,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
