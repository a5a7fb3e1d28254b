/**
 * SSRF guard: feed URLs come from users, so every address a fetch connects to is checked — the URL's
 * literal host up front and every DNS answer at connect time (a name can resolve to 10.0.0.5 or 127.0.0.1).
 */
import dns from 'node:dns';
import net from 'node:net';
import { Agent, buildConnector } from 'undici';
import { PermanentError } from '../core/errors.ts';

/** What the guard lets through. */
export interface SsrfPolicy {
  /** Allow loopback, RFC 1918, link-local, CGNAT and IPv6 ULA targets (self-hosted feeds, tests). */
  allowPrivate: boolean;
  /**
   * Hosts and CIDRs opened even when `allowPrivate` is false (FEED_ALLOWLIST): `10.0.0.0/8`, `fd00::/8`,
   * `192.168.1.20`, `intranet.example.org`, `*.corp.example`. A listed host may resolve to private
   * addresses; a CIDR opens the addresses inside it whatever name leads there. Metadata, multicast and
   * other never-fetched ranges stay closed. @defaultValue []
   */
  allowlist?: readonly string[];
}

/** `reason` is a stable code ("private", "loopback", …); `message` says why and how to allow it. */
export type AddressDecision = { allowed: true } | { allowed: false; reason: string; message: string };

export type UrlDecision =
  | { allowed: true; url: URL }
  | { allowed: false; code: 'bad_url' | 'ssrf_blocked'; reason: string };

/** One resolved address, as `dns.lookup(name, { all: true })` returns it. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all its addresses. Injected in tests so no real DNS is needed. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The connection was refused by the guard, before any byte was sent. Never retried. */
export class SsrfBlockedError extends PermanentError {
  constructor(message: string) {
    super('ssrf_blocked', message);
  }
}

/** Resolves with the system resolver (getaddrinfo), keeping the order the system gives. */
export const systemResolver: Resolver = async (hostname) =>
  dns.promises.lookup(hostname, { all: true, verbatim: true });

interface RangeInfo {
  reason: string;
  /** Words for the refusal message, e.g. "a private address (RFC 1918)". */
  label: string;
  /** True for ranges no deployment fetches feeds from; the allowlist cannot open them. */
  never: boolean;
  /** The CIDR a refusal message suggests for FEED_ALLOWLIST. */
  cidr?: string;
}

type V4Range = readonly [base: string, bits: number, info: RangeInfo];

// Ranges that are refused unless allowPrivate or allowlisted.
const IPV4_PRIVATE: readonly V4Range[] = [
  ['10.0.0.0', 8, { reason: 'private', label: 'a private address (RFC 1918)', never: false, cidr: '10.0.0.0/8' }],
  ['100.64.0.0', 10, { reason: 'cgnat', label: 'a shared CGNAT address (RFC 6598)', never: false, cidr: '100.64.0.0/10' }],
  ['127.0.0.0', 8, { reason: 'loopback', label: 'a loopback address', never: false, cidr: '127.0.0.0/8' }],
  ['169.254.0.0', 16, { reason: 'link_local', label: 'a link-local address', never: false, cidr: '169.254.0.0/16' }],
  ['172.16.0.0', 12, { reason: 'private', label: 'a private address (RFC 1918)', never: false, cidr: '172.16.0.0/12' }],
  ['192.168.0.0', 16, { reason: 'private', label: 'a private address (RFC 1918)', never: false, cidr: '192.168.0.0/16' }],
];

const never = (reason: string, label: string): RangeInfo => ({ reason, label, never: true });

// Ranges that never host a feed, refused whatever the policy (IANA special-purpose registry).
const IPV4_NEVER: readonly V4Range[] = [
  ['0.0.0.0', 8, never('unspecified', 'in 0.0.0.0/8 ("this network")')],
  ['192.0.0.0', 24, never('reserved', 'an IETF protocol-assignment address')],
  ['192.0.2.0', 24, never('documentation', 'a documentation address')],
  ['192.88.99.0', 24, never('reserved', 'a deprecated 6to4 relay address')],
  ['198.18.0.0', 15, never('benchmarking', 'a benchmarking address')],
  ['198.51.100.0', 24, never('documentation', 'a documentation address')],
  ['203.0.113.0', 24, never('documentation', 'a documentation address')],
  ['224.0.0.0', 4, never('multicast', 'a multicast address')],
  ['240.0.0.0', 4, never('reserved', 'a reserved address')],
];

// Cloud instance-metadata endpoints hand out credentials: no deployment has a reason to poll them.
const METADATA_V4 = '169.254.169.254';
const METADATA_V6 = 'fd00:ec2:0:0:0:0:0:254';
const METADATA = never('cloud_metadata', 'the cloud instance-metadata address');

function ipv4ToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

function v4Mask(bits: number): number {
  return bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
}

function inV4Range(ip: number, base: string, bits: number): boolean {
  const mask = v4Mask(bits);
  return (ip & mask) >>> 0 === (ipv4ToInt(base) & mask) >>> 0;
}

/** Expands an IPv6 literal into 8 16-bit groups; an embedded dotted IPv4 tail becomes two groups. */
function expandV6(ip: string): number[] | null {
  let text = ip.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!net.isIPv4(tail)) return null;
    const v4 = ipv4ToInt(tail);
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest].map((g) =>
    Number.parseInt(g, 16),
  );
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

function v6ToBigInt(groups: readonly number[]): bigint {
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

function v4FromGroups(hi: number, lo: number): string {
  return [hi >>> 8, hi & 0xff, lo >>> 8, lo & 0xff].join('.');
}

/**
 * What range an address is in. `subject` is the address the allowlist's CIDRs are matched against:
 * the embedded IPv4 address for mapped/compatible/NAT64/6to4 forms, so 10.0.0.0/8 also opens ::ffff:10.0.0.5.
 */
interface Classified {
  info: RangeInfo | null;
  subject: { v4: number } | { v6: bigint } | null;
}

function classifyV4(ip: string): Classified {
  const n = ipv4ToInt(ip);
  const subject = { v4: n };
  if (ip === METADATA_V4) return { info: METADATA, subject };
  for (const [base, bits, info] of IPV4_NEVER) if (inV4Range(n, base, bits)) return { info, subject };
  for (const [base, bits, info] of IPV4_PRIVATE) if (inV4Range(n, base, bits)) return { info, subject };
  return { info: null, subject };
}

function classifyV6(ip: string): Classified {
  const g = expandV6(ip);
  if (!g) return { info: never('unparseable', 'not a valid IPv6 address'), subject: null };
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [number, number, number, number, number, number, number, number];
  const subject = { v6: v6ToBigInt(g) };
  if (g.map((x) => x.toString(16)).join(':') === METADATA_V6) return { info: METADATA, subject };
  const firstFiveZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  // Addresses that carry an IPv4 address are judged by that address, so ::ffff:127.0.0.1 is loopback.
  if (firstFiveZero && g5 === 0xffff) return classifyV4(v4FromGroups(g6, g7));
  if (firstFiveZero && g5 === 0) {
    if (g6 === 0 && g7 === 0) return { info: never('unspecified', 'the unspecified address'), subject };
    if (g6 === 0 && g7 === 1) {
      return { info: { reason: 'loopback', label: 'the IPv6 loopback address', never: false, cidr: '::1/128' }, subject };
    }
    // IPv4-compatible (::a.b.c.d), deprecated but still routed by some stacks.
    return classifyV4(v4FromGroups(g6, g7));
  }
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach the embedded IPv4 address.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return classifyV4(v4FromGroups(g6, g7));
  if (g0 === 0x2002) return classifyV4(v4FromGroups(g1, g2));
  if ((g0 & 0xff00) === 0xff00) return { info: never('multicast', 'a multicast address'), subject };
  if (g0 === 0x2001 && g1 === 0x0db8) return { info: never('documentation', 'a documentation address'), subject };
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return { info: never('discard', 'a discard-only address'), subject };
  if ((g0 & 0xfe00) === 0xfc00) {
    return { info: { reason: 'unique_local', label: 'an IPv6 unique-local address', never: false, cidr: 'fc00::/7' }, subject };
  }
  if ((g0 & 0xffc0) === 0xfe80) {
    return { info: { reason: 'link_local', label: 'an IPv6 link-local address', never: false, cidr: 'fe80::/10' }, subject };
  }
  if ((g0 & 0xffc0) === 0xfec0) {
    return { info: { reason: 'site_local', label: 'an IPv6 site-local address', never: false, cidr: 'fec0::/10' }, subject };
  }
  return { info: null, subject };
}

interface CompiledAllowlist {
  v4: Array<{ base: number; mask: number }>;
  v6: Array<{ base: bigint; mask: bigint }>;
  hosts: Set<string>;
  /** From `*.example.org`: matches sub.example.org, not example.org itself. */
  suffixes: string[];
}

const HOST_NAME = /^(?:\*\.)?(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

function v6Mask(bits: number): bigint {
  return bits === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - bits)) - 1n);
}

/**
 * Parses FEED_ALLOWLIST entries: an IPv4/IPv6 address, a CIDR, a host name, or `*.domain`.
 * @throws TypeError naming the first entry that is none of these.
 */
export function parseAllowlist(entries: readonly string[]): CompiledAllowlist {
  const out: CompiledAllowlist = { v4: [], v6: [], hosts: new Set(), suffixes: [] };
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
    if (!entry) continue;
    const slash = entry.indexOf('/');
    const addr = slash >= 0 ? entry.slice(0, slash) : entry;
    const bitsText = slash >= 0 ? entry.slice(slash + 1) : null;
    const family = net.isIP(addr);
    if (family !== 0) {
      const max = family === 4 ? 32 : 128;
      const bits = bitsText === null ? max : /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : Number.NaN;
      if (!(bits >= 0 && bits <= max)) throw new TypeError(`ssrf-guard: bad allowlist entry "${raw}": prefix must be 0–${max}`);
      if (family === 4) {
        const mask = v4Mask(bits);
        out.v4.push({ base: (ipv4ToInt(addr) & mask) >>> 0, mask });
      } else {
        const groups = expandV6(addr);
        if (!groups) throw new TypeError(`ssrf-guard: bad allowlist entry "${raw}"`);
        const mask = v6Mask(bits);
        out.v6.push({ base: v6ToBigInt(groups) & mask, mask });
      }
      continue;
    }
    const name = entry.replace(/\.$/, '');
    if (bitsText !== null || !HOST_NAME.test(name)) {
      throw new TypeError(`ssrf-guard: bad allowlist entry "${raw}": not an IP address, CIDR or host name`);
    }
    if (name.startsWith('*.')) out.suffixes.push(name.slice(1));
    else out.hosts.add(name);
  }
  return out;
}

const EMPTY_ALLOWLIST = parseAllowlist([]);
const compiledCache = new WeakMap<readonly string[], CompiledAllowlist>();

function compiled(policy: SsrfPolicy): CompiledAllowlist {
  const list = policy.allowlist;
  if (!list || list.length === 0) return EMPTY_ALLOWLIST;
  let c = compiledCache.get(list);
  if (!c) {
    c = parseAllowlist(list);
    compiledCache.set(list, c);
  }
  return c;
}

/** True when the allowlist names this host (exactly, or under a `*.domain` entry). */
export function isHostAllowlisted(hostname: string, policy: SsrfPolicy): boolean {
  const list = compiled(policy);
  const name = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  return list.hosts.has(name) || list.suffixes.some((s) => name.endsWith(s));
}

function inAllowlistCidrs(subject: Classified['subject'], list: CompiledAllowlist): boolean {
  if (!subject) return false;
  if ('v4' in subject) return list.v4.some((r) => (subject.v4 & r.mask) >>> 0 === r.base);
  return list.v6.some((r) => (subject.v6 & r.mask) === r.base);
}

function decide(ip: string, policy: SsrfPolicy, hostAllowlisted: boolean): AddressDecision {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  let c: Classified;
  if (net.isIPv4(bare)) c = classifyV4(bare);
  else if (net.isIPv6(bare)) c = classifyV6(bare);
  else return { allowed: false, reason: 'not_an_ip', message: `${ip} is not an IP address` };
  const { info } = c;
  if (!info) return { allowed: true };
  if (info.never) return { allowed: false, reason: info.reason, message: `${bare} is ${info.label}, which is never fetched` };
  if (policy.allowPrivate || hostAllowlisted || inAllowlistCidrs(c.subject, compiled(policy))) return { allowed: true };
  return {
    allowed: false,
    reason: info.reason,
    message: `${bare} is ${info.label}; set FEED_ALLOWLIST=${info.cidr ?? bare} (or ALLOW_PRIVATE_FEEDS=true) to allow it`,
  };
}

/**
 * Decides whether a connection to `ip` is allowed. Pure.
 * Loopback, RFC 1918, link-local, CGNAT and IPv6 ULA/link-local are refused unless `allowPrivate` or a
 * CIDR of the allowlist covers them; unspecified, multicast, reserved/documentation ranges and
 * cloud-metadata addresses are always refused.
 */
export function checkAddress(ip: string, policy: SsrfPolicy): AddressDecision {
  return decide(ip, policy, false);
}

/**
 * Checks a URL before fetching: http(s) only, and a literal IP host must pass `checkAddress`.
 * WHATWG parsing turns odd spellings (0177.0.0.1, 0x7f.1, 2130706433, trailing dot) into dotted decimal,
 * so they are judged as the address they really are. Host names are checked again at connect time.
 * A refusal's `reason` is a sentence for the user, naming the variable that would allow it.
 */
export function checkUrl(url: string, policy: SsrfPolicy): UrlDecision {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { allowed: false, code: 'bad_url', reason: 'not an absolute URL' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { allowed: false, code: 'bad_url', reason: `scheme ${parsed.protocol} is not http or https` };
  }
  const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  if (!host) return { allowed: false, code: 'bad_url', reason: 'no host' };
  if (net.isIP(host)) {
    const decision = checkAddress(host, policy);
    if (!decision.allowed) return { allowed: false, code: 'ssrf_blocked', reason: decision.message };
    return { allowed: true, url: parsed };
  }
  // "localhost" never needs DNS to mean loopback (RFC 6761), whatever the resolver says.
  const name = host.replace(/\.$/, '').toLowerCase();
  if (!policy.allowPrivate && (name === 'localhost' || name.endsWith('.localhost')) && !isHostAllowlisted(name, policy)) {
    return {
      allowed: false,
      code: 'ssrf_blocked',
      reason: `${host} is a loopback name; set FEED_ALLOWLIST=${name} (or ALLOW_PRIVATE_FEEDS=true) to allow it`,
    };
  }
  return { allowed: true, url: parsed };
}

/**
 * Checks every address `hostname` resolves to; the first refused one decides. Addresses of an
 * allowlisted host pass unless they are in a never-fetched range. Returns null when all are allowed.
 */
export function checkResolved(hostname: string, addresses: readonly ResolvedAddress[], policy: SsrfPolicy): string | null {
  const hostAllowed = isHostAllowlisted(hostname, policy);
  for (const a of addresses) {
    const d = decide(a.address, policy, hostAllowed);
    if (!d.allowed) {
      // "10.0.0.5 is a private address …; set FEED_ALLOWLIST=10.0.0.0/8" becomes "host resolves to 10.0.0.5, a private …".
      const tail = d.message.startsWith(`${a.address} is `) ? d.message.slice(a.address.length + 4) : d.message;
      const hint = tail.replace('set FEED_ALLOWLIST=', `set FEED_ALLOWLIST=${hostname} or `);
      return `${hostname} resolves to ${a.address}, ${hint}`;
    }
  }
  return null;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address?: string | dns.LookupAddress[], family?: number) => void;

function notFound(hostname: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
  err.code = 'ENOTFOUND';
  return err;
}

/**
 * A `net.connect` lookup function that resolves with `resolver`, refuses the connection with
 * SsrfBlockedError if ANY returned address is refused (a name answering both a public and a private
 * address must not get a chance to pick the private one), and otherwise answers like dns.lookup.
 */
export function createGuardedLookup(policy: SsrfPolicy, resolver: Resolver = systemResolver) {
  return (hostname: string, options: dns.LookupOptions | number | LookupCallback, maybeCallback?: LookupCallback): void => {
    const callback = (typeof options === 'function' ? options : maybeCallback) as LookupCallback;
    const opts: dns.LookupOptions = typeof options === 'object' ? options : typeof options === 'number' ? { family: options } : {};
    resolver(hostname).then(
      (addresses) => {
        if (addresses.length === 0) {
          callback(notFound(hostname));
          return;
        }
        const refusal = checkResolved(hostname, addresses, policy);
        if (refusal) {
          callback(new SsrfBlockedError(`ssrf-guard: ${refusal}`));
          return;
        }
        const wanted = opts.family === 4 || opts.family === 'IPv4' ? 4 : opts.family === 6 || opts.family === 'IPv6' ? 6 : 0;
        const usable = wanted === 0 ? addresses : addresses.filter((a) => a.family === wanted);
        const first = usable[0];
        if (!first) {
          callback(notFound(hostname));
          return;
        }
        if (opts.all) callback(null, usable.map((a) => ({ address: a.address, family: a.family })));
        else callback(null, first.address, first.family);
      },
      (err: unknown) => callback(err as NodeJS.ErrnoException),
    );
  };
}

/** Options of the guarded undici Agent. */
export interface GuardedAgentOptions extends SsrfPolicy {
  resolver?: Resolver;
  /** TCP/TLS connect timeout, DNS included. @defaultValue 10 000 ms */
  connectTimeoutMs?: number;
  /** Keep-alive sockets per origin. @defaultValue undici's default (unlimited) */
  connections?: number;
}

/**
 * An undici Agent whose every connection goes through the guard: IP-literal hosts are checked directly
 * (net.connect skips lookup for them), names through `createGuardedLookup`. A refused target fails
 * before the socket is opened, so no request byte ever leaves.
 */
export function createGuardedAgent(options: GuardedAgentOptions): Agent {
  const policy: SsrfPolicy = { allowPrivate: options.allowPrivate, allowlist: options.allowlist ?? [] };
  // Fail at construction, not at the first fetch, when the allowlist is malformed.
  compiled(policy);
  const base = buildConnector({
    timeout: options.connectTimeoutMs ?? 10_000,
    lookup: createGuardedLookup(policy, options.resolver),
  } as buildConnector.BuildOptions);
  const connect: buildConnector.connector = (opts, callback) => {
    const host = opts.hostname.startsWith('[') ? opts.hostname.slice(1, -1) : opts.hostname;
    if (net.isIP(host)) {
      const decision = checkAddress(host, policy);
      if (!decision.allowed) {
        callback(new SsrfBlockedError(`ssrf-guard: ${decision.message}`), null);
        return;
      }
    }
    base(opts, callback);
  };
  const agent = new Agent({ connect, ...(options.connections ? { connections: options.connections } : {}) });
  agentPolicies.set(agent, policyKey(policy));
  return agent;
}

const agentPolicies = new WeakMap<object, string>();

function policyKey(policy: SsrfPolicy): string {
  return JSON.stringify([policy.allowPrivate, [...(policy.allowlist ?? [])].map((e) => e.trim().toLowerCase()).filter(Boolean)]);
}

/**
 * Whether `agent` was made by createGuardedAgent with exactly this policy: true or false, or undefined
 * for a dispatcher the guard did not make. Lets fetchFeed refuse to reuse an agent built for a different
 * policy (wider or narrower) than the fetch asks for.
 */
export function agentMatchesPolicy(agent: object, policy: SsrfPolicy): boolean | undefined {
  const key = agentPolicies.get(agent);
  return key === undefined ? undefined : key === policyKey(policy);
}
