import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopbackHost, loadConfig } from '../../core/config.ts';

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

  it('parses booleans and treats empty strings as unset', () => {
    expect(loadConfig({ ALLOW_PRIVATE_FEEDS: 'true' }).allowPrivateFeeds).toBe(true);
    expect(loadConfig({ PORT: '' }).port).toBe(8080);
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
