/**
 * A real HTTP server on 127.0.0.1 (port 0) for tests that fetch things: serves fixed bodies or files with
 * chosen status and headers, ETag/Last-Modified → 304, gzip, redirects, delays, a silent hang, and counts
 * requests per path and TCP connections. Reused by ingest, API and end-to-end tests.
 *
 * ```ts
 * const server = await startFeedServer({
 *   '/feed.xml': { file: fixture('rss-parser/input/guardian.rss'), contentType: 'application/rss+xml', etag: '"v1"' },
 *   '/old': { redirect: '/feed.xml' },
 *   '/down': { status: 500, body: 'oops' },
 * });
 * await fetch(server.url('/feed.xml'));
 * server.requests('/feed.xml'); // 1
 * await server.close();
 * ```
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import zlib from 'node:zlib';

/** How one path answers. Everything is optional; the default is `200` with an empty body. */
export interface RouteSpec {
  status?: number;
  /** Response body; a string is sent as UTF-8. */
  body?: string | Buffer;
  /** Path of a file whose bytes are the body (read at each request, so edits are seen). */
  file?: string;
  /** Content-Type header. @defaultValue "application/xml" when there is a body */
  contentType?: string;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** ETag to send; a request with a matching If-None-Match gets 304 and no body. */
  etag?: string;
  /** Last-Modified to send; a request with an equal If-Modified-Since gets 304. */
  lastModified?: string;
  /** gzip the body and send `Content-Encoding: gzip`. */
  gzip?: boolean;
  /** Answer with a redirect to this location (relative or absolute). */
  redirect?: string;
  /** Status used with `redirect`. @defaultValue 302 */
  redirectStatus?: number;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Accept the request and never answer (until the server closes). */
  hang?: boolean;
  /** Send the body in chunks of this size without Content-Length (chunked transfer). */
  chunkSize?: number;
}

/** A route is a spec or a custom handler for anything the spec cannot express. */
export type Route = RouteSpec | ((req: http.IncomingMessage, res: http.ServerResponse) => void);

export interface FeedServer {
  /** Absolute URL of `path` on this server, e.g. "http://127.0.0.1:41234/feed.xml". */
  url(path: string): string;
  /** The port the server listens on. */
  readonly port: number;
  /** Requests received for `path` so far (any status, including 304 and unknown paths). */
  requests(path: string): number;
  /** Headers of the last request to `path`, or undefined. */
  lastRequestHeaders(path: string): http.IncomingHttpHeaders | undefined;
  /** TCP connections accepted so far (a request refused before connecting never shows up here). */
  connections(): number;
  /** Replaces or adds a route while the server runs (e.g. a feed that changes between polls). */
  setRoute(path: string, route: Route): void;
  /** Closes the server and every open connection, including hung ones. */
  close(): Promise<void>;
}

function bodyOf(spec: RouteSpec): Buffer | null {
  if (spec.file) return readFileSync(spec.file);
  if (spec.body === undefined) return null;
  return typeof spec.body === 'string' ? Buffer.from(spec.body, 'utf8') : spec.body;
}

function serveSpec(spec: RouteSpec, req: http.IncomingMessage, res: http.ServerResponse): void {
  if (spec.hang) return;
  if (spec.redirect !== undefined) {
    res.writeHead(spec.redirectStatus ?? 302, { location: spec.redirect, ...spec.headers });
    res.end();
    return;
  }
  const headers: Record<string, string> = { ...spec.headers };
  if (spec.etag) headers.etag = spec.etag;
  if (spec.lastModified) headers['last-modified'] = spec.lastModified;
  const etagMatches = spec.etag !== undefined && req.headers['if-none-match'] === spec.etag;
  const dateMatches = spec.lastModified !== undefined && req.headers['if-modified-since'] === spec.lastModified;
  if (etagMatches || dateMatches) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  let body = bodyOf(spec);
  if (body !== null) {
    headers['content-type'] = spec.contentType ?? headers['content-type'] ?? 'application/xml';
    if (spec.gzip) {
      body = zlib.gzipSync(body);
      headers['content-encoding'] = 'gzip';
    }
  }
  if (spec.chunkSize && body) {
    res.writeHead(spec.status ?? 200, headers);
    for (let i = 0; i < body.length; i += spec.chunkSize) res.write(body.subarray(i, i + spec.chunkSize));
    res.end();
    return;
  }
  if (body) headers['content-length'] = String(body.length);
  res.writeHead(spec.status ?? 200, headers);
  res.end(body ?? undefined);
}

/** Starts the server on 127.0.0.1 with an OS-chosen port. Unknown paths answer 404. */
export async function startFeedServer(routes: Record<string, Route> = {}): Promise<FeedServer> {
  const table = new Map<string, Route>(Object.entries(routes));
  const counts = new Map<string, number>();
  const lastHeaders = new Map<string, http.IncomingHttpHeaders>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let connectionCount = 0;

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    counts.set(path, (counts.get(path) ?? 0) + 1);
    lastHeaders.set(path, req.headers);
    const route = table.get(path);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    if (typeof route === 'function') {
      route(req, res);
      return;
    }
    if (route.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) serveSpec(route, req, res);
      }, route.delayMs);
      timers.add(timer);
      return;
    }
    serveSpec(route, req, res);
  });
  server.on('connection', (socket: Socket) => {
    connectionCount++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path.startsWith('/') ? path : `/${path}`}`,
    requests: (path) => counts.get(path) ?? 0,
    lastRequestHeaders: (path) => lastHeaders.get(path),
    connections: () => connectionCount,
    setRoute: (path, route) => {
      table.set(path, route);
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
