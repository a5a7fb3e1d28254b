/** The per-host limiter: slots per host, start-to-start gap (kept across idle periods), exemptions. */
import { describe, expect, it } from 'vitest';
import { createHostLimiter, hostKey, isLoopbackHostKey } from '../../ingest/host-limiter.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('host limiter', () => {
  it('keys by lower-case host and port, and recognizes loopback literals', () => {
    expect(hostKey('https://News.Example:8443/rss')).toBe('news.example:8443');
    expect(hostKey('not a url')).toBe('not a url');
    for (const h of ['127.0.0.1:80', '127.1.2.3', 'localhost:3000', '[::1]:8080', 'localhost']) expect(isLoopbackHostKey(h), h).toBe(true);
    for (const h of ['10.0.0.1', 'example.com', '[::2]:80', '127.example.com', 'localhost.example']) expect(isLoopbackHostKey(h), h).toBe(false);
  });

  it('runs at most perHost tasks per host, other hosts independently', async () => {
    const limiter = createHostLimiter({ perHost: 2, minGapMs: 0 });
    const active = new Map<string, number>();
    const max = new Map<string, number>();
    const task = (host: string) =>
      limiter.run(host, async () => {
        active.set(host, (active.get(host) ?? 0) + 1);
        max.set(host, Math.max(max.get(host) ?? 0, active.get(host)!));
        await sleep(30);
        active.set(host, active.get(host)! - 1);
      });
    await Promise.all([...Array.from({ length: 5 }, () => task('a.test')), ...Array.from({ length: 3 }, () => task('b.test'))]);
    expect(max.get('a.test')).toBe(2);
    expect(max.get('b.test')).toBe(2);
  });

  it('keeps the gap between starts, also after the host went idle, and releases on failure', async () => {
    const limiter = createHostLimiter({ perHost: 5, minGapMs: 120 });
    const starts: number[] = [];
    await limiter.run('a.test', async () => void starts.push(Date.now()));
    await expect(limiter.run('a.test', async () => {
      starts.push(Date.now());
      throw new Error('boom');
    })).rejects.toThrow('boom');
    await limiter.run('a.test', async () => void starts.push(Date.now()));
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(118);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(118);
    await sleep(130);
    expect(limiter.busyHosts()).toBe(1);
    // Once the gap passed, the next request starts at once and the idle host is forgotten afterwards.
    const t = Date.now();
    await limiter.run('a.test', async () => undefined);
    expect(Date.now() - t).toBeLessThan(60);
  });

  it('does not limit exempt hosts', async () => {
    const limiter = createHostLimiter({ perHost: 1, minGapMs: 10_000 });
    const t = Date.now();
    await Promise.all([1, 2, 3].map(() => limiter.run('127.0.0.1:9', () => sleep(20))));
    expect(Date.now() - t).toBeLessThan(1000);
    expect(limiter.busyHosts()).toBe(0);
  });
});
