/**
 * The HTTP server: the API under /api plus the built dashboard (dashboard/ui → uiDir) as static files with
 * an SPA fallback, all behind strict security headers. Port 0 picks a free port; the real one is reported.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';
import type { Logger } from '../core/logger.ts';

/** Anything with a fetch handler; the API app from createApp in practice. */
export interface FetchApp {
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
}

export interface StartServerOptions {
  app: FetchApp;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Directory of the built UI (vite's outDir); may be missing or empty before `npm run build:ui`. */
  uiDir: string;
  logger: Logger;
}

export interface RunningServer {
  /** Base URL with the real port, e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

/**
 * The dashboard is a same-origin single-page app: no inline scripts, no third-party origins, no framing.
 * Inline styles stay allowed because recharts sets style attributes.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Frame-Options', 'DENY');
};

// A favicon keeps browsers from logging a 404 on every page load when the build ships none.
const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f4e79"/>' +
  '<path d="M3 12V4l5 5 5-5v8" stroke="#fff" stroke-width="1.6" fill="none"/></svg>';

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Narrative Monitor</title></head>
<body><h1>Narrative Monitor</h1>
<p>The dashboard has not been built yet. Run <code>npm run build:ui</code> and reload this page.</p>
<p>The API is up: <a href="/api/health">/api/health</a>.</p></body></html>`;

/** A last path segment with a dot names a file: missing files get a 404, not the SPA page. */
const looksLikeFile = (p: string): boolean => /\.[A-Za-z0-9]+$/.test(p.slice(p.lastIndexOf('/') + 1));

/** The outer app: security headers, /api handed to the API app, then static UI files and the SPA fallback. */
export function createServerApp(options: Pick<StartServerOptions, 'app' | 'uiDir'>): Hono {
  const { app, uiDir } = options;
  const root = path.resolve(uiDir);
  const indexPath = path.join(root, 'index.html');
  const server = new Hono();
  server.use('*', securityHeaders);
  // The API app keeps its own error and not-found handling, so it is called as a whole, not mounted.
  const toApi = (c: { req: { raw: Request }; env: unknown }) => app.fetch(c.req.raw, c.env);
  server.all('/api', toApi);
  server.all('/api/*', toApi);
  // serveStatic complains on stderr about a missing root; before the first build there is nothing to serve.
  if (existsSync(root)) {
    server.use(
      '*',
      serveStatic({
        root,
        onFound: (filePath, c) => {
          // Vite names built assets by content hash, so they never change; index.html must be revalidated.
          const hashed = filePath.startsWith(path.join(root, 'assets') + path.sep);
          c.header('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      }),
    );
  }
  server.get('/favicon.ico', (c) => {
    c.header('Content-Type', 'image/svg+xml');
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(FAVICON_SVG);
  });
  server.get('*', async (c) => {
    if (looksLikeFile(c.req.path)) return c.text('not found', 404);
    if (!existsSync(indexPath)) return c.html(NOT_BUILT_PAGE, 200);
    c.header('Cache-Control', 'no-cache');
    return c.html(await readFile(indexPath, 'utf8'), 200);
  });
  server.all('*', (c) => c.text('method not allowed', 405));
  return server;
}

/** Starts listening; resolves once the port is bound (rejects if it cannot be, e.g. EADDRINUSE). */
export function startServer(options: StartServerOptions): Promise<RunningServer> {
  const log = options.logger.child({ component: 'server' });
  const outer = createServerApp(options);
  if (!existsSync(path.join(options.uiDir, 'index.html'))) {
    log.warn({ uiDir: path.resolve(options.uiDir) }, 'dashboard not built; run npm run build:ui');
  }
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: outer.fetch, hostname: options.host, port: options.port }, (info) => {
      server.off('error', reject);
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      const url = `http://${host}:${info.port}`;
      log.info({ url }, 'server listening');
      resolve({
        url,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            // Idle keep-alive connections would otherwise hold close() open for seconds.
            (server as Server).closeAllConnections?.();
          }),
      });
    });
    server.once('error', reject);
  });
}
