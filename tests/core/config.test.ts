import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, isAllowlistEntry, isLoopbackHost, loadConfig } from '../../core/config.ts';

describe('loadConfig', () => {
  it('has embedded defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.store).toEqual({ kind: 'sqlite' });
    expect(c.queue).toEqual({ kind: 'embedded' });
    expect(c.allowPrivateFeeds).toBe(false);
    expect(c.sqlitePath).toBe(path.resolve('data', 'narrative-monitor.db'));
  });

  it('selects BullMQ when REDIS_URL is set', () => {
    const c = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: 'test1' });
    expect(c.queue).toEqual({ kind: 'bullmq', redisUrl: 'redis://127.0.0.1:6379', prefix: 'test1' });
  });

  it('reports every bad variable by name', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', STORE: 'postgres', ALLOW_PRIVATE_FEEDS: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT="eighty"/);
    expect(problems).toMatch(/STORE="postgres": must be sqlite or elasticsearch/);
    expect(problems).toMatch(/ALLOW_PRIVATE_FEEDS="maybe": must be true or false/);
  });

  it('requires ELASTICSEARCH_URL for the elasticsearch store', () => {
    expect(() => loadConfig({ STORE: 'elasticsearch' })).toThrow(/ELASTICSEARCH_URL/);
    expect(loadConfig({ STORE: 'elasticsearch', ELASTICSEARCH_URL: 'http://127.0.0.1:9200' }).store).toEqual({
      kind: 'elasticsearch',
      url: 'http://127.0.0.1:9200',
    });
  });

  it('parses the poller politeness settings and names a bad one', () => {
    expect(loadConfig({}).polling).toEqual({ concurrency: 8, hostConcurrency: 2, hostGapMs: 1000 });
    expect(loadConfig({ POLL_HOST_GAP_MS: '250', POLL_CONCURRENCY: '32' }).polling).toEqual({
      concurrency: 32,
      hostConcurrency: 2,
      hostGapMs: 250,
    });
    expect(() => loadConfig({ POLL_HOST_CONCURRENCY: '0' })).toThrow(/POLL_HOST_CONCURRENCY="0"/);
  });

  it('parses booleans and treats empty strings as unset', () => {
    expect(loadConfig({ ALLOW_PRIVATE_FEEDS: 'true' }).allowPrivateFeeds).toBe(true);
    expect(loadConfig({ PORT: '' }).port).toBe(8080);
  });
});

describe('fetch limits and the feed allowlist', () => {
  it('has separate connect, headers and total deadlines, a 16 MiB cap and a contact URL in the User-Agent', () => {
    const c = loadConfig({});
    expect(c.fetch).toEqual({
      timeoutMs: 30_000,
      connectTimeoutMs: 10_000,
      headersTimeoutMs: 15_000,
      maxBytes: 16 * 1024 * 1024,
      userAgent: 'NarrativeMonitor/0.1.0 (+https://github.com/narrative-monitor/narrative-monitor)',
    });
    expect(c.feedAllowlist).toEqual([]);
    const custom = loadConfig({
      FETCH_TIMEOUT_MS: '20000',
      FETCH_CONNECT_TIMEOUT_MS: '2000',
      FETCH_HEADERS_TIMEOUT_MS: '5000',
      CONTACT_URL: 'https://research.example/contact',
    });
    expect(custom.fetch).toMatchObject({ timeoutMs: 20_000, connectTimeoutMs: 2000, headersTimeoutMs: 5000 });
    expect(custom.fetch.userAgent).toContain('(+https://research.example/contact)');
  });

  it('reports bad deadlines by name', () => {
    expect(() => loadConfig({ FETCH_CONNECT_TIMEOUT_MS: 'soon' })).toThrow(/FETCH_CONNECT_TIMEOUT_MS="soon"/);
    expect(() => loadConfig({ FETCH_HEADERS_TIMEOUT_MS: '5' })).toThrow(/FETCH_HEADERS_TIMEOUT_MS="5"/);
  });

  it('parses FEED_ALLOWLIST as comma-separated hosts and CIDRs, IPv4 and IPv6', () => {
    const c = loadConfig({ FEED_ALLOWLIST: ' 10.0.0.0/8, intranet.example ,*.corp.example,fd00::/8,192.168.1.20,[::1],' });
    expect(c.feedAllowlist).toEqual(['10.0.0.0/8', 'intranet.example', '*.corp.example', 'fd00::/8', '192.168.1.20', '[::1]']);
  });

  it('names every bad FEED_ALLOWLIST entry', () => {
    let error: unknown;
    try {
      loadConfig({ FEED_ALLOWLIST: '10.0.0.0/33,ok.example,http://x/,fd00::/200' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/FEED_ALLOWLIST=.*"10.0.0.0\/33" is not a host name, IP address or CIDR/);
    expect(problems).toMatch(/"http:\/\/x\/" is not/);
    expect(problems).toMatch(/"fd00::\/200" is not/);
    expect(problems).not.toMatch(/"ok.example" is not/);
  });

  it('isAllowlistEntry accepts addresses, CIDRs, names and wildcards only', () => {
    for (const ok of ['10.0.0.0/8', '0.0.0.0/0', '::/0', 'fe80::/10', '127.0.0.1', '::1', 'a.b', 'localhost', '*.x.example', 'feeds.example.']) {
      expect(isAllowlistEntry(ok), ok).toBe(true);
    }
    for (const bad of ['10.0.0.0/', '10.0.0.0/x', '1.2.3.4/33', 'a b', 'http://a', '*', 'a/8', '-a.example']) {
      expect(isAllowlistEntry(bad), bad).toBe(false);
    }
  });
});

describe('isLoopbackHost', () => {
  it('knows loopback from the rest', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('192.168.1.4')).toBe(false);
  });
});
