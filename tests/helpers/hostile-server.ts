/**
 * A hostile HTTP server on 127.0.0.1 (port 0): every way a feed server can hurt a fetcher — silence,
 * trickling, endless and bomb bodies, entity payloads, redirect loops, rate limits, lies — one per path,
 * plus a healthy feed. Built on feed-server.ts, so it counts requests and connections the same way.
 */
import http from 'node:http';
import zlib from 'node:zlib';
import { startFeedServer, type FeedServer, type Route } from './feed-server.ts';

/** Paths the hostile server answers, one behaviour each. */
export const HOSTILE = {
  silent: '/silent',
  trickle: '/trickle',
  endless: '/endless',
  gzipBomb: '/gzip-bomb',
  deflateBomb: '/deflate-bomb',
  nestedBomb: '/nested-bomb',
  billionLaughs: '/billion-laughs',
  xxeFile: '/xxe-file',
  xxeHttp: '/xxe-http',
  redirectLoop: '/redirect-loop',
  redirectPrivate: '/redirect-private',
  tooManyRequestsSeconds: '/429-seconds',
  tooManyRequestsDate: '/429-date',
  unavailable: '/503',
  etag: '/304-etag',
  moved301: '/301',
  moved308: '/308',
  gone: '/410',
  serverError: '/500',
  temporary: '/302',
  badEncoding: '/bad-gzip',
  lyingCharset: '/lying-charset',
  html: '/html',
  empty: '/empty',
  truncated: '/truncated',
  healthy: '/feed.xml',
} as const;

export interface HostileServerOptions {
  /** URL `/xxe-http` declares as an external entity (a loopback canary that must see no request). */
  canaryUrl?: string;
  /** Location `/redirect-private` points to (a name a test resolver maps to 127.0.0.1). */
  privateTarget?: string;
  /** Gap between the bytes of `/trickle`. @defaultValue 1000 ms */
  trickleIntervalMs?: number;
}

export interface HostileServer extends FeedServer {
  /** Bytes `/gzip-bomb` sends (the compressed size). */
  readonly bombBytes: number;
  /** Bytes `/gzip-bomb` inflates to. */
  readonly bombInflatedBytes: number;
}

/** Size the gzip bomb inflates to: 1 GiB of zeros. */
export const BOMB_INFLATED_BYTES = 1024 * 1024 * 1024;

let bombPromise: Promise<Buffer> | null = null;

/**
 * A gzip member holding 1 GiB of zeros (about 1 MB compressed), made once per process by streaming
 * zeros through zlib so the 1 GiB never exists in memory.
 */
export function gzipBomb(): Promise<Buffer> {
  bombPromise ??= (async () => {
    const gzip = zlib.createGzip({ level: 9, memLevel: 9 });
    const chunks: Buffer[] = [];
    gzip.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise<void>((resolve, reject) => {
      gzip.on('end', resolve);
      gzip.on('error', reject);
    });
    const zeros = Buffer.alloc(1024 * 1024);
    for (let written = 0; written < BOMB_INFLATED_BYTES; written += zeros.length) {
      if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once('drain', resolve));
    }
    gzip.end();
    await ended;
    return Buffer.concat(chunks);
  })();
  return bombPromise;
}

/** A small valid RSS 2.0 feed; `id` makes titles, links and GUIDs unique per feed. */
export function smallFeed(id: string, items = 3): string {
  const entries = Array.from(
    { length: items },
    (_, i) => `<item><title>Story ${i + 1} of feed ${id}</title><link>https://news.example/${id}/story-${i + 1}</link>` +
      `<guid>https://news.example/${id}/story-${i + 1}</guid><pubDate>Wed, 01 May 2024 1${i}:00:00 GMT</pubDate>` +
      `<description>Summary of story ${i + 1} from feed ${id}.</description></item>`,
  ).join('');
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed ${id}</title>` +
    `<link>https://news.example/${id}/</link><description>Test feed ${id}</description>${entries}</channel></rss>`;
}

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><link>https://laughs.example/</link>
<item><title>Laugh &lol9;</title><link>https://laughs.example/1</link><description>&lol9;</description></item>
</channel></rss>`;

function externalEntity(systemId: string): string {
  return `<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY xxe SYSTEM "${systemId}"> ]>
<rss version="2.0"><channel><title>XXE &xxe;</title><link>https://xxe.example/</link>
<item><title>Secret: &xxe;</title><link>https://xxe.example/1</link><description>&xxe;</description></item>
</channel></rss>`;
}

// Russian title in UTF-8 while the header claims Latin-1: a decoder that trusts the header makes mojibake.
const LYING_CHARSET = `<?xml version="1.0"?><rss version="2.0"><channel><title>Новости дня</title>` +
  `<link>https://ru.example/</link><item><title>Главная новость</title><link>https://ru.example/1</link></item></channel></rss>`;

const HTML_PAGE = `<!DOCTYPE html><html><head><title>Welcome</title></head><body><h1>Our site</h1>` +
  `<p>This is a web page, not a feed.</p><a href="/rss">RSS</a></body></html>`;

/** Streams `chunk` forever, respecting backpressure, until the client goes away. */
function endless(res: http.ServerResponse): void {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  res.writeHead(200, { 'content-type': 'application/rss+xml' });
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk)) {
      // keep writing until the socket buffer is full
    }
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

function trickle(res: http.ServerResponse, intervalMs: number): void {
  res.writeHead(200, { 'content-type': 'application/rss+xml' });
  res.write('<');
  const timer = setInterval(() => {
    if (res.destroyed) clearInterval(timer);
    else res.write(' ');
  }, intervalMs);
  res.on('close', () => clearInterval(timer));
}

function sendBomb(body: Buffer, encoding: string): Route {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': encoding, 'content-length': String(body.length) });
    res.end(body);
  };
}

/** Starts the hostile server. Generating the gzip bomb takes a few seconds the first time in a process. */
export async function startHostileServer(options: HostileServerOptions = {}): Promise<HostileServer> {
  const bomb = await gzipBomb();
  // Node writes a 10-byte gzip header (no name, no extra) and an 8-byte trailer around raw deflate data.
  const rawDeflate = bomb.subarray(10, bomb.length - 8);
  const nested = zlib.brotliCompressSync(bomb);
  const healthy = smallFeed('healthy');
  const routes: Record<string, Route> = {
    [HOSTILE.silent]: { hang: true },
    [HOSTILE.trickle]: (_req, res) => trickle(res, options.trickleIntervalMs ?? 1000),
    [HOSTILE.endless]: (_req, res) => endless(res),
    [HOSTILE.gzipBomb]: sendBomb(bomb, 'gzip'),
    [HOSTILE.deflateBomb]: sendBomb(rawDeflate, 'deflate'),
    [HOSTILE.nestedBomb]: sendBomb(nested, 'gzip, br'),
    [HOSTILE.billionLaughs]: { body: BILLION_LAUGHS, contentType: 'application/rss+xml' },
    [HOSTILE.xxeFile]: { body: externalEntity('file:///etc/passwd'), contentType: 'application/rss+xml' },
    [HOSTILE.xxeHttp]: { body: externalEntity(options.canaryUrl ?? 'http://127.0.0.1:9/canary'), contentType: 'application/rss+xml' },
    [HOSTILE.redirectLoop]: { redirect: HOSTILE.redirectLoop, redirectStatus: 302 },
    [HOSTILE.redirectPrivate]: { redirect: options.privateTarget ?? 'http://127.0.0.1:9/', redirectStatus: 302 },
    [HOSTILE.tooManyRequestsSeconds]: { status: 429, body: 'slow down', headers: { 'retry-after': '120' } },
    [HOSTILE.tooManyRequestsDate]: (_req, res) => {
      const now = Date.now();
      res.writeHead(429, {
        date: new Date(now).toUTCString(),
        'retry-after': new Date(now + 90_000).toUTCString(),
        'content-type': 'text/plain',
      });
      res.end('slow down');
    },
    [HOSTILE.unavailable]: { status: 503, body: 'maintenance', headers: { 'retry-after': '30' } },
    [HOSTILE.etag]: { body: healthy, contentType: 'application/rss+xml', etag: '"v1"' },
    [HOSTILE.moved301]: { redirect: HOSTILE.healthy, redirectStatus: 301 },
    [HOSTILE.moved308]: { redirect: HOSTILE.healthy, redirectStatus: 308 },
    [HOSTILE.gone]: { status: 410, body: 'gone' },
    [HOSTILE.serverError]: { status: 500, body: 'internal error' },
    [HOSTILE.temporary]: { redirect: HOSTILE.healthy, redirectStatus: 302 },
    [HOSTILE.badEncoding]: { body: 'this is not gzip at all', contentType: 'application/rss+xml', headers: { 'content-encoding': 'gzip' } },
    [HOSTILE.lyingCharset]: { body: LYING_CHARSET, contentType: 'application/rss+xml; charset=iso-8859-1' },
    [HOSTILE.html]: { body: HTML_PAGE, contentType: 'text/html; charset=utf-8' },
    [HOSTILE.empty]: { body: '', contentType: 'application/rss+xml' },
    [HOSTILE.truncated]: { body: healthy.slice(0, Math.floor(healthy.length * 0.6)), contentType: 'application/rss+xml' },
    [HOSTILE.healthy]: { body: healthy, contentType: 'application/rss+xml' },
  };
  const server = await startFeedServer(routes);
  return Object.assign(server, { bombBytes: bomb.length, bombInflatedBytes: BOMB_INFLATED_BYTES });
}
