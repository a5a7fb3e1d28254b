/** SSRF guard: address decisions as a pure table, URL spellings, and connect-time refusal against 127.0.0.1. */
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchFeed } from '../../ingest/fetch-feed.ts';
import {
  checkAddress,
  checkUrl,
  createGuardedAgent,
  createGuardedLookup,
  SsrfBlockedError,
  type Resolver,
} from '../../ingest/ssrf-guard.ts';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.ts';

const strict = { allowPrivate: false };
const lenient = { allowPrivate: true };

// Decisions only: nothing in this file ever connects to these addresses.
const REFUSED: Array<[string, string]> = [
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.0.0.5', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.1.1', 'link_local'],
  ['169.254.169.254', 'cloud_metadata'],
  ['100.64.0.1', 'cgnat'],
  ['100.127.255.255', 'cgnat'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'reserved'],
  ['192.0.2.10', 'documentation'],
  ['::1', 'loopback'],
  ['::', 'unspecified'],
  ['fc00::1', 'unique_local'],
  ['fd12:3456:789a::1', 'unique_local'],
  ['fe80::1', 'link_local'],
  ['febf::1', 'link_local'],
  ['ff02::1', 'multicast'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:169.254.169.254', 'cloud_metadata'],
  ['64:ff9b::10.0.0.1', 'private'],
  ['2002:c0a8:0101::1', 'private'],
  ['fd00:ec2::254', 'cloud_metadata'],
  ['[::1]', 'loopback'],
];

const PUBLIC = ['8.8.8.8', '1.1.1.1', '93.184.216.34', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8'];

describe('checkAddress', () => {
  it.each(REFUSED)('refuses %s as %s', (ip, reason) => {
    expect(checkAddress(ip, strict)).toEqual({ allowed: false, reason });
  });

  it.each(PUBLIC)('allows public %s', (ip) => {
    expect(checkAddress(ip, strict)).toEqual({ allowed: true });
  });

  it('allowPrivate lets private and loopback targets through', () => {
    for (const ip of ['127.0.0.1', '10.0.0.5', '192.168.1.1', '100.64.0.1', '169.254.1.1', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1']) {
      expect(checkAddress(ip, lenient), ip).toEqual({ allowed: true });
    }
  });

  it('allowPrivate still refuses metadata, unspecified, multicast and reserved addresses', () => {
    for (const ip of ['169.254.169.254', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::', 'ff02::1', '::ffff:169.254.169.254']) {
      expect(checkAddress(ip, lenient).allowed, ip).toBe(false);
    }
  });

  it('refuses things that are not IP addresses', () => {
    expect(checkAddress('example.com', lenient)).toEqual({ allowed: false, reason: 'not_an_ip' });
    expect(checkAddress('999.1.1.1', lenient).allowed).toBe(false);
  });
});

describe('checkUrl', () => {
  it.each([
    'http://0177.0.0.1/feed',
    'http://0x7f.1/feed',
    'http://2130706433/feed',
    'http://127.0.0.1./feed',
    'http://127.1/feed',
    'http://0x7f000001/',
    'http://[::1]:8080/',
    'http://[::ffff:127.0.0.1]/',
    'http://10.0.0.5/',
    'http://169.254.169.254/latest/meta-data/',
    'http://localhost:8080/',
    'http://LOCALHOST./',
    'http://api.localhost/',
  ])('blocks the odd loopback/private spelling %s', (url) => {
    const decision = checkUrl(url, strict);
    expect(decision.allowed).toBe(false);
    expect(decision.allowed ? null : decision.code).toBe('ssrf_blocked');
  });

  it('judges odd spellings as the address they really are', () => {
    const d = checkUrl('http://0177.0.0.1/', strict);
    expect(d.allowed ? '' : d.reason).toContain('127.0.0.1 is loopback');
  });

  it.each(['file:///etc/passwd', 'ftp://example.com/feed', 'gopher://example.com/', 'javascript:alert(1)', 'not a url', '/relative/feed.xml'])(
    'rejects %s as bad_url',
    (url) => {
      const decision = checkUrl(url, strict);
      expect(decision.allowed ? null : decision.code).toBe('bad_url');
    },
  );

  it('allows public names and addresses (checked again at connect time)', () => {
    const d = checkUrl('https://www.theguardian.com/world/rss', strict);
    expect(d.allowed).toBe(true);
    expect(d.allowed && d.url.hostname).toBe('www.theguardian.com');
    expect(checkUrl('http://8.8.8.8/', strict).allowed).toBe(true);
    expect(checkUrl('http://127.0.0.1:8080/', lenient).allowed).toBe(true);
  });
});

describe('createGuardedLookup', () => {
  const lookupAll = (resolver: Resolver, policy = strict) =>
    new Promise<{ err: Error | null; addresses: unknown }>((resolve) => {
      createGuardedLookup(policy, resolver)('evil.test', { all: true }, (err, addresses) => resolve({ err, addresses }));
    });

  it('refuses when ANY resolved address is refused', async () => {
    const resolver: Resolver = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
    const { err } = await lookupAll(resolver);
    expect(err).toBeInstanceOf(SsrfBlockedError);
    expect((err as SsrfBlockedError).code).toBe('ssrf_blocked');
    expect(err?.message).toContain('10.0.0.5');
  });

  it('answers like dns.lookup when every address is allowed', async () => {
    const resolver: Resolver = async () => [{ address: '93.184.216.34', family: 4 }];
    const { err, addresses } = await lookupAll(resolver);
    expect(err).toBeNull();
    expect(addresses).toEqual([{ address: '93.184.216.34', family: 4 }]);
    const single = await new Promise<unknown[]>((resolve) => {
      createGuardedLookup(strict, resolver)('x.test', {}, (...args) => resolve(args));
    });
    expect(single).toEqual([null, '93.184.216.34', 4]);
  });

  it('passes resolver failures through with their code', async () => {
    const resolver: Resolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), { code: 'ENOTFOUND' });
    };
    const { err } = await lookupAll(resolver);
    expect((err as NodeJS.ErrnoException).code).toBe('ENOTFOUND');
  });
});

describe('connect-time enforcement against a real 127.0.0.1 server', () => {
  let server: FeedServer;
  afterEach(async () => server?.close());

  const opts = { timeoutMs: 3000, maxBytes: 1_000_000, userAgent: 'nm-test' };

  it('refuses a loopback server when allowPrivate is false: no connection, no request', async () => {
    server = await startFeedServer({ '/feed.xml': { body: '<rss version="2.0"><channel/></rss>' } });
    const result = await fetchFeed(server.url('/feed.xml'), {}, { ...opts, allowPrivate: false });
    expect(result).toMatchObject({ kind: 'error', code: 'ssrf_blocked', transient: false });
    expect(server.requests('/feed.xml')).toBe(0);
    expect(server.connections()).toBe(0);
  });

  it('refuses a name that resolves to loopback, before connecting', async () => {
    server = await startFeedServer({ '/feed.xml': { body: '<rss version="2.0"><channel/></rss>' } });
    const resolver: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const result = await fetchFeed(`http://feeds.evil.test:${server.port}/feed.xml`, {}, { ...opts, allowPrivate: false, resolver });
    expect(result).toMatchObject({ kind: 'error', code: 'ssrf_blocked' });
    expect(server.connections()).toBe(0);
  });

  it('the agent itself refuses an IP literal, even when the URL check is bypassed', async () => {
    server = await startFeedServer({ '/feed.xml': { body: 'x' } });
    const agent = createGuardedAgent({ allowPrivate: false });
    try {
      await expect(request(server.url('/feed.xml'), { dispatcher: agent })).rejects.toBeInstanceOf(SsrfBlockedError);
    } finally {
      await agent.destroy();
    }
    expect(server.connections()).toBe(0);
  });

  it('connects through a resolved name when allowPrivate is true', async () => {
    server = await startFeedServer({ '/feed.xml': { body: '<rss version="2.0"><channel/></rss>' } });
    const resolver: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const result = await fetchFeed(`http://feeds.local.test:${server.port}/feed.xml`, {}, { ...opts, allowPrivate: true, resolver });
    expect(result.kind).toBe('ok');
    expect(server.requests('/feed.xml')).toBe(1);
    expect(server.lastRequestHeaders('/feed.xml')?.host).toBe(`feeds.local.test:${server.port}`);
  });
});
