/** startServer on 127.0.0.1 port 0: the built UI, the SPA fallback, the API and the security headers. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthResponse } from '../../dashboard/api/schemas.ts';
import { CONTENT_SECURITY_POLICY, startServer, type RunningServer } from '../../dashboard/server.ts';
import { setupApi, type TestEnv } from './api-fixtures.ts';

const INDEX_HTML = '<!doctype html><html><body><div id="root">narrative-monitor-test-ui</div></body></html>';

describe('startServer', () => {
  let env: TestEnv | undefined;
  let server: RunningServer | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await env?.cleanup();
    env = undefined;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function uiDir(withIndex: boolean): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'nm-ui-'));
    dirs.push(dir);
    if (withIndex) {
      writeFileSync(path.join(dir, 'index.html'), INDEX_HTML);
      mkdirSync(path.join(dir, 'assets'));
      writeFileSync(path.join(dir, 'assets', 'app-abc123.js'), 'console.log(1);');
    }
    return dir;
  }

  it('serves the UI, the API and strict headers on a free port', async () => {
    env = await setupApi();
    server = await startServer({ app: env.app, host: '127.0.0.1', port: 0, uiDir: uiDir(true), logger: pino({ level: 'silent' }) });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);

    const root = await fetch(`${server.url}/`);
    expect(root.status).toBe(200);
    expect(await root.text()).toContain('narrative-monitor-test-ui');
    expect(root.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(root.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(root.headers.get('x-content-type-options')).toBe('nosniff');
    expect(root.headers.get('referrer-policy')).toBe('no-referrer');

    // A client-side route falls back to index.html; a missing asset does not.
    const spa = await fetch(`${server.url}/trends?q=syria`);
    expect(spa.status).toBe(200);
    expect(await spa.text()).toContain('narrative-monitor-test-ui');
    expect((await fetch(`${server.url}/assets/missing.js`)).status).toBe(404);

    const asset = await fetch(`${server.url}/assets/app-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    await asset.text();

    const favicon = await fetch(`${server.url}/favicon.ico`);
    expect(favicon.status).toBe(200);
    await favicon.text();

    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(((await health.json()) as HealthResponse).articles).toBe(4);

    const unknown = await fetch(`${server.url}/api/nope`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('tells the user to build the UI when index.html is missing', async () => {
    env = await setupApi();
    server = await startServer({ app: env.app, host: '127.0.0.1', port: 0, uiDir: uiDir(false), logger: pino({ level: 'silent' }) });
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('npm run build:ui');
  });

  it('rejects when the port is taken', async () => {
    env = await setupApi();
    server = await startServer({ app: env.app, host: '127.0.0.1', port: 0, uiDir: uiDir(true), logger: pino({ level: 'silent' }) });
    const port = Number(new URL(server.url).port);
    await expect(
      startServer({ app: env.app, host: '127.0.0.1', port, uiDir: uiDir(true), logger: pino({ level: 'silent' }) }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});
