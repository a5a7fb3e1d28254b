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
}

export type AddressDecision = { allowed: true } | { allowed: false; reason: string };

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

// Ranges that are refused unless allowPrivate: [base, prefix length, reason].
const IPV4_PRIVATE: ReadonlyArray<readonly [string, number, string]> = [
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'cgnat'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link_local'],
  ['172.16.0.0', 12, 'private'],
  ['192.168.0.0', 16, 'private'],
];

// Ranges that never host a feed, refused even with allowPrivate (IANA special-purpose registry).
const IPV4_NEVER: ReadonlyArray<readonly [string, number, string]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'reserved'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

// Cloud instance-metadata endpoints hand out credentials: no deployment has a reason to poll them.
const METADATA_V4 = '169.254.169.254';
const METADATA_V6 = 'fd00:ec2:0:0:0:0:0:254';

function ipv4ToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

function inV4Range(ip: number, base: string, bits: number): boolean {
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (ip & mask) >>> 0 === (ipv4ToInt(base) & mask) >>> 0;
}

function checkV4(ip: string, policy: SsrfPolicy): AddressDecision {
  if (ip === METADATA_V4) return { allowed: false, reason: 'cloud_metadata' };
  const n = ipv4ToInt(ip);
  for (const [base, bits, reason] of IPV4_NEVER) {
    if (inV4Range(n, base, bits)) return { allowed: false, reason };
  }
  if (!policy.allowPrivate) {
    for (const [base, bits, reason] of IPV4_PRIVATE) {
      if (inV4Range(n, base, bits)) return { allowed: false, reason };
    }
  }
  return { allowed: true };
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

function v4FromGroups(hi: number, lo: number): string {
  return [hi >>> 8, hi & 0xff, lo >>> 8, lo & 0xff].join('.');
}

function checkV6(ip: string, policy: SsrfPolicy): AddressDecision {
  const g = expandV6(ip);
  if (!g) return { allowed: false, reason: 'unparseable' };
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [number, number, number, number, number, number, number, number];
  if (g.map((x) => x.toString(16)).join(':') === METADATA_V6) return { allowed: false, reason: 'cloud_metadata' };
  const firstFiveZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  // Addresses that carry an IPv4 address are judged by that address, so ::ffff:127.0.0.1 is loopback.
  if (firstFiveZero && g5 === 0xffff) return checkV4(v4FromGroups(g6, g7), policy);
  if (firstFiveZero && g5 === 0) {
    if (g6 === 0 && g7 === 0) return { allowed: false, reason: 'unspecified' };
    if (g6 === 0 && g7 === 1) return policy.allowPrivate ? { allowed: true } : { allowed: false, reason: 'loopback' };
    // IPv4-compatible (::a.b.c.d), deprecated but still routed by some stacks.
    return checkV4(v4FromGroups(g6, g7), policy);
  }
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach the embedded IPv4 address.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return checkV4(v4FromGroups(g6, g7), policy);
  }
  if (g0 === 0x2002) return checkV4(v4FromGroups(g1, g2), policy);
  if ((g0 & 0xff00) === 0xff00) return { allowed: false, reason: 'multicast' };
  if (g0 === 0x2001 && g1 === 0x0db8) return { allowed: false, reason: 'documentation' };
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return { allowed: false, reason: 'discard' };
  if (!policy.allowPrivate) {
    if ((g0 & 0xfe00) === 0xfc00) return { allowed: false, reason: 'unique_local' };
    if ((g0 & 0xffc0) === 0xfe80) return { allowed: false, reason: 'link_local' };
    if ((g0 & 0xffc0) === 0xfec0) return { allowed: false, reason: 'site_local' };
  }
  return { allowed: true };
}

/**
 * Decides whether a connection to `ip` is allowed. Pure.
 * Loopback, RFC 1918, link-local, CGNAT and IPv6 ULA/link-local are refused unless `allowPrivate`;
 * unspecified, multicast, reserved/documentation ranges and cloud-metadata addresses are always refused.
 */
export function checkAddress(ip: string, policy: SsrfPolicy): AddressDecision {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  if (net.isIPv4(bare)) return checkV4(bare, policy);
  if (net.isIPv6(bare)) return checkV6(bare, policy);
  return { allowed: false, reason: 'not_an_ip' };
}

/**
 * Checks a URL before fetching: http(s) only, and a literal IP host must pass `checkAddress`.
 * WHATWG parsing turns odd spellings (0177.0.0.1, 0x7f.1, 2130706433, trailing dot) into dotted decimal,
 * so they are judged as the address they really are. Host names are checked again at connect time.
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
    if (!decision.allowed) return { allowed: false, code: 'ssrf_blocked', reason: `${host} is ${decision.reason}` };
    return { allowed: true, url: parsed };
  }
  // "localhost" never needs DNS to mean loopback (RFC 6761), whatever the resolver says.
  const name = host.replace(/\.$/, '').toLowerCase();
  if (!policy.allowPrivate && (name === 'localhost' || name.endsWith('.localhost'))) {
    return { allowed: false, code: 'ssrf_blocked', reason: `${host} is loopback` };
  }
  return { allowed: true, url: parsed };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address?: string | dns.LookupAddress[], family?: number) => void;

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
          const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          err.code = 'ENOTFOUND';
          callback(err);
          return;
        }
        for (const a of addresses) {
          const decision = checkAddress(a.address, policy);
          if (!decision.allowed) {
            callback(new SsrfBlockedError(`ssrf-guard: ${hostname} resolves to ${a.address} (${decision.reason})`));
            return;
          }
        }
        const wanted = opts.family === 4 || opts.family === 'IPv4' ? 4 : opts.family === 6 || opts.family === 'IPv6' ? 6 : 0;
        const usable = wanted === 0 ? addresses : addresses.filter((a) => a.family === wanted);
        const first = usable[0];
        if (!first) {
          const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          err.code = 'ENOTFOUND';
          callback(err);
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
  /** TCP/TLS connect timeout. @defaultValue 10 000 ms */
  connectTimeoutMs?: number;
}

/**
 * An undici Agent whose every connection goes through the guard: IP-literal hosts are checked directly
 * (net.connect skips lookup for them), names through `createGuardedLookup`. A refused target fails
 * before the socket is opened, so no request byte ever leaves.
 */
export function createGuardedAgent(options: GuardedAgentOptions): Agent {
  const policy: SsrfPolicy = { allowPrivate: options.allowPrivate };
  const base = buildConnector({
    timeout: options.connectTimeoutMs ?? 10_000,
    lookup: createGuardedLookup(policy, options.resolver),
  } as buildConnector.BuildOptions);
  const connect: buildConnector.connector = (opts, callback) => {
    const host = opts.hostname.startsWith('[') ? opts.hostname.slice(1, -1) : opts.hostname;
    if (net.isIP(host)) {
      const decision = checkAddress(host, policy);
      if (!decision.allowed) {
        callback(new SsrfBlockedError(`ssrf-guard: ${host} is ${decision.reason}`), null);
        return;
      }
    }
    base(opts, callback);
  };
  return new Agent({ connect });
}
