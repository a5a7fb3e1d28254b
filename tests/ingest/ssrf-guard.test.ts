/**
 * SSRF guard: every address form as a pure decision table, the same forms reached through DNS names (a test
 * resolver) and through redirects, the allowlist, and connect-time refusal against loopback canaries.
 * Only 127.0.0.1 / ::1 are ever connected to; public and non-loopback private addresses are decisions only.
 */
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createUrlChecker } from '../../bin/runtime.ts';
import { loadConfig } from '../../core/config.ts';
import { createFetchDispatcher, fetchFeed, type FetchOptions } from '../../ingest/fetch-feed.ts';
import {
  checkAddress,
  checkResolved,
  checkUrl,
  createGuardedAgent,
  createGuardedLookup,
  isHostAllowlisted,
  parseAllowlist,
  SsrfBlockedError,
  type ResolvedAddress,
  type Resolver,
  type SsrfPolicy,
} from '../../ingest/ssrf-guard.ts';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.ts';

const strict: SsrfPolicy = { allowPrivate: false };
const lenient: SsrfPolicy = { allowPrivate: true };

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
  ['198.18.0.1', 'benchmarking'],
  ['::1', 'loopback'],
  ['::', 'unspecified'],
  ['fc00::1', 'unique_local'],
  ['fd12:3456:789a::1', 'unique_local'],
  ['fe80::1', 'link_local'],
  ['fe80::1%eth0', 'link_local'],
  ['febf::1', 'link_local'],
  ['fec0::1', 'site_local'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:a01:203', 'private'],
  ['::ffff:169.254.169.254', 'cloud_metadata'],
  ['::ffff:100.64.0.1', 'cgnat'],
  ['::10.0.0.1', 'private'],
  ['64:ff9b::10.0.0.1', 'private'],
  ['64:ff9b::7f00:1', 'loopback'],
  ['2002:c0a8:0101::1', 'private'],
  ['2002:7f00:0001::1', 'loopback'],
  ['fd00:ec2::254', 'cloud_metadata'],
  ['[::1]', 'loopback'],
];

const NEVER_FETCHED = new Set(['cloud_metadata', 'unspecified', 'multicast', 'reserved', 'documentation', 'benchmarking']);

const PUBLIC = ['8.8.8.8', '1.1.1.1', '93.184.216.34', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8'];

describe('checkAddress', () => {
  it.each(REFUSED)('refuses %s as %s, saying why', (ip, reason) => {
    const d = checkAddress(ip, strict);
    expect(d).toMatchObject({ allowed: false, reason });
    const bare = ip.replace(/^\[|\]$/g, '');
    expect(d.allowed ? '' : d.message).toContain(bare);
    expect(d.allowed ? '' : d.message).toMatch(NEVER_FETCHED.has(reason) ? /never fetched/ : /set FEED_ALLOWLIST=/);
  });

  it.each(PUBLIC)('allows public %s', (ip) => {
    expect(checkAddress(ip, strict)).toEqual({ allowed: true });
  });

  it('gives a reason a user can act on', () => {
    expect(checkAddress('10.0.0.5', strict)).toEqual({
      allowed: false,
      reason: 'private',
      message: '10.0.0.5 is a private address (RFC 1918); set FEED_ALLOWLIST=10.0.0.0/8 (or ALLOW_PRIVATE_FEEDS=true) to allow it',
    });
    expect(checkAddress('100.64.3.4', strict)).toMatchObject({ message: expect.stringContaining('CGNAT address (RFC 6598); set FEED_ALLOWLIST=100.64.0.0/10') });
    expect(checkAddress('fd12::1', strict)).toMatchObject({ message: expect.stringContaining('set FEED_ALLOWLIST=fc00::/7') });
    expect(checkAddress('169.254.169.254', lenient)).toMatchObject({
      allowed: false,
      message: '169.254.169.254 is the cloud instance-metadata address, which is never fetched',
    });
  });

  it('allowPrivate lets private and loopback targets through', () => {
    for (const ip of ['127.0.0.1', '10.0.0.5', '192.168.1.1', '100.64.0.1', '169.254.1.1', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1']) {
      expect(checkAddress(ip, lenient), ip).toEqual({ allowed: true });
    }
  });

  it('allowPrivate still refuses metadata, unspecified, multicast and reserved addresses', () => {
    for (const ip of ['169.254.169.254', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::', 'ff02::1', '::ffff:169.254.169.254', 'fd00:ec2::254']) {
      expect(checkAddress(ip, lenient).allowed, ip).toBe(false);
    }
  });

  it('refuses things that are not IP addresses', () => {
    expect(checkAddress('example.com', lenient)).toMatchObject({ allowed: false, reason: 'not_an_ip' });
    expect(checkAddress('999.1.1.1', lenient).allowed).toBe(false);
  });
});

describe('allowlist', () => {
  const policy = (allowlist: string[]): SsrfPolicy => ({ allowPrivate: false, allowlist });

  it('an IPv4 CIDR opens exactly its range, also in IPv4-mapped/NAT64 form', () => {
    const p = policy(['10.0.0.0/8']);
    expect(checkAddress('10.0.0.5', p).allowed).toBe(true);
    expect(checkAddress('10.255.255.255', p).allowed).toBe(true);
    expect(checkAddress('::ffff:10.1.2.3', p).allowed).toBe(true);
    expect(checkAddress('64:ff9b::10.0.0.1', p).allowed).toBe(true);
    expect(checkAddress('11.0.0.1', p).allowed).toBe(true);
    expect(checkAddress('192.168.1.1', p)).toMatchObject({ allowed: false, reason: 'private' });
    expect(checkAddress('127.0.0.1', p)).toMatchObject({ allowed: false, reason: 'loopback' });
  });

  it('narrow CIDRs and single addresses', () => {
    const p = policy(['192.168.1.16/28', '172.20.0.7']);
    expect(checkAddress('192.168.1.16', p).allowed).toBe(true);
    expect(checkAddress('192.168.1.31', p).allowed).toBe(true);
    expect(checkAddress('192.168.1.32', p).allowed).toBe(false);
    expect(checkAddress('192.168.1.15', p).allowed).toBe(false);
    expect(checkAddress('172.20.0.7', p).allowed).toBe(true);
    expect(checkAddress('172.20.0.8', p).allowed).toBe(false);
  });

  it('IPv6 CIDRs', () => {
    const p = policy(['fd00:1234::/32', '::1']);
    expect(checkAddress('fd00:1234:5678::9', p).allowed).toBe(true);
    expect(checkAddress('fd00:1235::9', p).allowed).toBe(false);
    expect(checkAddress('::1', p).allowed).toBe(true);
    expect(checkAddress('fe80::1', p).allowed).toBe(false);
  });

  it('never opens metadata, multicast, unspecified or reserved addresses, even when listed', () => {
    const p = policy(['169.254.0.0/16', '0.0.0.0/0', '::/0', 'metadata.test']);
    expect(checkAddress('169.254.1.1', p).allowed).toBe(true);
    for (const ip of ['169.254.169.254', '224.0.0.1', '0.0.0.0', '240.0.0.1', 'ff02::1', 'fd00:ec2::254']) {
      expect(checkAddress(ip, p).allowed, ip).toBe(false);
    }
    expect(checkResolved('metadata.test', [{ address: '169.254.169.254', family: 4 }], p)).toContain('never fetched');
  });

  it('host entries open a name whatever it resolves to; *.domain opens sub-domains only', () => {
    const p = policy(['intranet.example', '*.corp.example', 'LOCALHOST']);
    expect(isHostAllowlisted('intranet.example', p)).toBe(true);
    expect(isHostAllowlisted('INTRANET.example.', p)).toBe(true);
    expect(isHostAllowlisted('www.intranet.example', p)).toBe(false);
    expect(isHostAllowlisted('feeds.corp.example', p)).toBe(true);
    expect(isHostAllowlisted('corp.example', p)).toBe(false);
    expect(isHostAllowlisted('evilcorp.example', p)).toBe(false);
    const intranet: ResolvedAddress[] = [{ address: '10.0.0.5', family: 4 }];
    expect(checkResolved('intranet.example', intranet, p)).toBeNull();
    expect(checkResolved('other.example', intranet, p)).toBe(
      'other.example resolves to 10.0.0.5, a private address (RFC 1918); set FEED_ALLOWLIST=other.example or 10.0.0.0/8 (or ALLOW_PRIVATE_FEEDS=true) to allow it',
    );
    expect(checkUrl('http://localhost:8080/feed', p).allowed).toBe(true);
    // A listed name does not open a literal address.
    expect(checkUrl('http://10.0.0.5/', p).allowed).toBe(false);
  });

  it('rejects malformed entries', () => {
    expect(() => parseAllowlist(['10.0.0.0/33'])).toThrow(/10.0.0.0\/33/);
    expect(() => parseAllowlist(['fd00::/129'])).toThrow(TypeError);
    expect(() => parseAllowlist(['not a host'])).toThrow(/not an IP address, CIDR or host name/);
    expect(() => parseAllowlist(['intranet.example/8'])).toThrow(TypeError);
    expect(() => createGuardedAgent({ allowPrivate: false, allowlist: ['http://x'] })).toThrow(TypeError);
    expect(parseAllowlist([' 10.0.0.0/8 ', '', '[::1]']).v4).toHaveLength(1);
  });
});

describe('checkUrl', () => {
  // Every odd spelling, and the address WHATWG parsing says it really is.
  it.each([
    ['http://0177.0.0.1/feed', '127.0.0.1'],
    ['http://0x7f.1/feed', '127.0.0.1'],
    ['http://0x7f.0.0.1/feed', '127.0.0.1'],
    ['http://2130706433/feed', '127.0.0.1'],
    ['http://017700000001/', '127.0.0.1'],
    ['http://0x7f000001/', '127.0.0.1'],
    ['http://127.0.0.1./feed', '127.0.0.1'],
    ['http://127.1/feed', '127.0.0.1'],
    ['http://0/', '0.0.0.0'],
    ['http://0x0a.0.0.5/', '10.0.0.5'],
    ['http://012.0.0.5/', '10.0.0.5'],
    ['http://167772165/', '10.0.0.5'],
    ['http://3232235777/', '192.168.1.1'],
    ['http://0xa9fea9fe/', '169.254.169.254'],
    ['http://0251.0376.0251.0376/latest/', '169.254.169.254'],
    ['http://169.254.169.254./latest/meta-data/', '169.254.169.254'],
    ['http://100.64.0.1/', '100.64.0.1'],
    ['http://[::1]:8080/', '::1'],
    ['http://[0:0:0:0:0:0:0:1]/', '::1'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1'],
    ['http://[::ffff:a00:5]/', '::ffff:a00:5'],
    ['http://[fd00::1]/', 'fd00::1'],
    ['http://[fe80::1]/', 'fe80::1'],
    ['HTTPS://10.0.0.5/', '10.0.0.5'],
  ])('blocks %s as %s', (url, address) => {
    const decision = checkUrl(url, strict);
    expect(decision).toMatchObject({ allowed: false, code: 'ssrf_blocked' });
    expect(decision.allowed ? '' : decision.reason.startsWith(`${address} is `)).toBe(true);
  });

  it.each(['http://localhost:8080/', 'http://LOCALHOST./', 'http://api.localhost/'])('blocks the loopback name %s', (url) => {
    const decision = checkUrl(url, strict);
    expect(decision).toMatchObject({ allowed: false, code: 'ssrf_blocked' });
    expect(decision.allowed ? '' : decision.reason).toMatch(/loopback name; set FEED_ALLOWLIST=/);
  });

  it.each(['file:///etc/passwd', 'ftp://example.com/feed', 'gopher://example.com/', 'javascript:alert(1)', 'data:text/xml,<rss/>', 'not a url', '/relative/feed.xml'])(
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
    expect(checkUrl('http://10.0.0.5/', { allowPrivate: false, allowlist: ['10.0.0.0/8'] }).allowed).toBe(true);
  });
});

describe('createGuardedLookup (names resolving to each address form; no connection is made)', () => {
  const lookupAll = (resolver: Resolver, policy = strict) =>
    new Promise<{ err: Error | null; addresses: unknown }>((resolve) => {
      createGuardedLookup(policy, resolver)('evil.test', { all: true }, (err, addresses) => resolve({ err, addresses }));
    });

  it.each(REFUSED.filter(([ip]) => !ip.startsWith('[') && !ip.includes('%')))('refuses a name resolving to %s (%s)', async (ip) => {
    const { err } = await lookupAll(async () => [{ address: ip, family: ip.includes(':') ? 6 : 4 }]);
    expect(err).toBeInstanceOf(SsrfBlockedError);
    expect(err?.message).toContain(`evil.test resolves to ${ip}`);
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

  it('honours the allowlist for names and CIDRs', async () => {
    const resolver: Resolver = async () => [{ address: '10.0.0.5', family: 4 }];
    expect((await lookupAll(resolver, { allowPrivate: false, allowlist: ['evil.test'] })).err).toBeNull();
    expect((await lookupAll(resolver, { allowPrivate: false, allowlist: ['10.0.0.0/24'] })).err).toBeNull();
    expect((await lookupAll(resolver, { allowPrivate: false, allowlist: ['10.1.0.0/16'] })).err).toBeInstanceOf(SsrfBlockedError);
  });

  it('passes resolver failures through with their code', async () => {
    const resolver: Resolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), { code: 'ENOTFOUND' });
    };
    const { err } = await lookupAll(resolver);
    expect((err as NodeJS.ErrnoException).code).toBe('ENOTFOUND');
  });
});

describe('createUrlChecker (what the API and CLI answer when a feed is added)', () => {
  const resolver: Resolver = async (host) => {
    if (host === 'intranet.test') return [{ address: '10.0.0.5', family: 4 }];
    if (host === 'both.test') return [{ address: '93.184.216.34', family: 4 }, { address: '::1', family: 6 }];
    return [{ address: '93.184.216.34', family: 4 }];
  };

  it('refuses private targets with a reason naming FEED_ALLOWLIST', async () => {
    const check = createUrlChecker(loadConfig({}), resolver);
    expect(await check('http://10.0.0.5/feed')).toBe(
      '10.0.0.5 is a private address (RFC 1918); set FEED_ALLOWLIST=10.0.0.0/8 (or ALLOW_PRIVATE_FEEDS=true) to allow it',
    );
    expect(await check('http://intranet.test/rss')).toContain('intranet.test resolves to 10.0.0.5, a private address (RFC 1918)');
    expect(await check('http://both.test/rss')).toContain('both.test resolves to ::1, the IPv6 loopback address');
    expect(await check('ftp://news.test/rss')).toBe('scheme ftp: is not http or https');
    expect(await check('http://news.test/rss')).toBeNull();
  });

  it('respects FEED_ALLOWLIST and ALLOW_PRIVATE_FEEDS', async () => {
    const byCidr = createUrlChecker(loadConfig({ FEED_ALLOWLIST: '10.0.0.0/8' }), resolver);
    expect(await byCidr('http://10.0.0.5/feed')).toBeNull();
    expect(await byCidr('http://intranet.test/rss')).toBeNull();
    expect(await byCidr('http://192.168.0.2/rss')).toContain('set FEED_ALLOWLIST=192.168.0.0/16');
    const byName = createUrlChecker(loadConfig({ FEED_ALLOWLIST: 'intranet.test' }), resolver);
    expect(await byName('http://intranet.test/rss')).toBeNull();
    expect(await byName('http://10.0.0.5/rss')).not.toBeNull();
    const open = createUrlChecker(loadConfig({ ALLOW_PRIVATE_FEEDS: 'true' }), resolver);
    expect(await open('http://intranet.test/rss')).toBeNull();
    expect(await open('http://169.254.169.254/')).toContain('never fetched');
  });
});

describe('connect-time enforcement against a real 127.0.0.1 canary', () => {
  let canary: FeedServer;
  let front: FeedServer | undefined;
  afterEach(async () => {
    await canary?.close();
    await front?.close();
    front = undefined;
  });

  const opts: FetchOptions = { timeoutMs: 3000, maxBytes: 1_000_000, userAgent: 'nm-test', allowPrivate: false };

  it('refuses a loopback server when allowPrivate is false: no connection, no request', async () => {
    canary = await startFeedServer({ '/feed.xml': { body: '<rss version="2.0"><channel/></rss>' } });
    const result = await fetchFeed(canary.url('/feed.xml'), {}, opts);
    expect(result).toMatchObject({ kind: 'error', code: 'ssrf_blocked', transient: false });
    expect(result.kind === 'error' && result.message).toContain('127.0.0.1 is a loopback address; set FEED_ALLOWLIST=127.0.0.0/8');
    expect(canary.connections()).toBe(0);
  });

  it('refuses every loopback spelling of the canary, literal and through names', async () => {
    canary = await startFeedServer({ '/feed.xml': { body: '<rss version="2.0"><channel/></rss>' } });
    const p = canary.port;
    const literal = [
      `http://0177.0.0.1:${p}/feed.xml`,
      `http://0x7f.1:${p}/feed.xml`,
      `http://2130706433:${p}/feed.xml`,
      `http://127.0.0.1.:${p}/feed.xml`,
      `http://[::ffff:127.0.0.1]:${p}/feed.xml`,
      `http://localhost:${p}/feed.xml`,
    ];
    for (const url of literal) expect(await fetchFeed(url, {}, opts), url).toMatchObject({ kind: 'error', code: 'ssrf_blocked' });
    const forms: ResolvedAddress[] = [
      { address: '127.0.0.1', family: 4 },
      { address: '127.0.0.2', family: 4 },
      { address: '::ffff:127.0.0.1', family: 6 },
      { address: '::1', family: 6 },
    ];
    for (const form of forms) {
      const result = await fetchFeed(`http://loop.test:${p}/feed.xml`, {}, { ...opts, resolver: async () => [form] });
      expect(result, form.address).toMatchObject({ kind: 'error', code: 'ssrf_blocked' });
    }
    expect(canary.connections()).toBe(0);
  });

  it('refuses redirects to every loopback form of the canary, at whichever hop they come', async () => {
    canary = await startFeedServer({ '/feed.xml': { body: '<rss version="2.0"><channel/></rss>' } });
    const p = canary.port;
    const targets = [
      `http://0177.0.0.1:${p}/feed.xml`,
      `http://0x7f000001:${p}/feed.xml`,
      `http://127.1:${p}/feed.xml`,
      `http://[::1]:${p}/feed.xml`,
      `http://localhost.:${p}/feed.xml`,
      `http://loop.test:${p}/feed.xml`,
    ];
    front = await startFeedServer({
      ...Object.fromEntries(targets.map((t, i) => [`/r${i}`, { redirect: t }])),
      '/hop1': { redirect: '/hop2', redirectStatus: 301 },
      '/hop2': { redirect: '/hop3', redirectStatus: 307 },
      '/hop3': { redirect: `http://loop.test:${p}/feed.xml` },
    });
    // The front server is reached as an allowlisted name; loop.test is not listed.
    const resolver: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const o: FetchOptions = { ...opts, resolver, allowlist: ['front.test'] };
    for (let i = 0; i < targets.length; i++) {
      const result = await fetchFeed(`http://front.test:${front.port}/r${i}`, {}, o);
      expect(result, targets[i]).toMatchObject({ kind: 'error', code: 'ssrf_blocked', transient: false });
    }
    expect(await fetchFeed(`http://front.test:${front.port}/hop1`, {}, o)).toMatchObject({ kind: 'error', code: 'ssrf_blocked' });
    expect(front.requests('/hop3')).toBe(1);
    expect(canary.connections()).toBe(0);
  });

  it('the agent itself refuses an IP literal, even when the URL check is bypassed', async () => {
    canary = await startFeedServer({ '/feed.xml': { body: 'x' } });
    const agent = createGuardedAgent({ allowPrivate: false });
    try {
      await expect(request(canary.url('/feed.xml'), { dispatcher: agent })).rejects.toBeInstanceOf(SsrfBlockedError);
    } finally {
      await agent.destroy();
    }
    expect(canary.connections()).toBe(0);
  });

  it('a reused agent built for a wider policy does not widen the fetch', async () => {
    canary = await startFeedServer({ '/feed.xml': { body: '<rss version="2.0"><channel/></rss>' } });
    const wide = createGuardedAgent({ allowPrivate: true });
    try {
      const result = await fetchFeed(canary.url('/feed.xml'), {}, { ...opts, dispatcher: wide });
      expect(result).toMatchObject({ kind: 'error', code: 'ssrf_blocked' });
    } finally {
      await wide.destroy();
    }
    expect(canary.connections()).toBe(0);
  });

  it('an allowlisted CIDR or name reaches the server; a shared dispatcher keeps the policy', async () => {
    canary = await startFeedServer({ '/feed.xml': { body: '<rss version="2.0"><channel/></rss>' } });
    const byCidr = await fetchFeed(canary.url('/feed.xml'), {}, { ...opts, allowlist: ['127.0.0.0/8'] });
    expect(byCidr.kind).toBe('ok');
    const resolver: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const named: FetchOptions = { ...opts, resolver, allowlist: ['*.local.test'] };
    const dispatcher = createFetchDispatcher(named);
    try {
      const ok = await fetchFeed(`http://feeds.local.test:${canary.port}/feed.xml`, {}, { ...named, dispatcher });
      expect(ok.kind).toBe('ok');
      const refused = await fetchFeed(`http://feeds.other.test:${canary.port}/feed.xml`, {}, { ...named, dispatcher });
      expect(refused).toMatchObject({ kind: 'error', code: 'ssrf_blocked' });
    } finally {
      await dispatcher.destroy();
    }
    expect(canary.requests('/feed.xml')).toBe(2);
    expect(canary.lastRequestHeaders('/feed.xml')?.host).toBe(`feeds.local.test:${canary.port}`);
  });

  it('connects through a resolved name when allowPrivate is true', async () => {
    canary = await startFeedServer({ '/feed.xml': { body: '<rss version="2.0"><channel/></rss>' } });
    const resolver: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const result = await fetchFeed(`http://feeds.local.test:${canary.port}/feed.xml`, {}, { ...opts, allowPrivate: true, resolver });
    expect(result.kind).toBe('ok');
    expect(canary.requests('/feed.xml')).toBe(1);
  });
});
