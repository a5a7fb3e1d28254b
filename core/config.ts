/**
 * Configuration: parsed once from the environment with zod. This is the only module that reads process.env
 * (its caller passes it in), and every bad value is reported by name.
 */
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const EnvSchema = z.object({
  PORT: z.coerce.number({ message: 'must be a number' }).int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  WATCHLIST: z.string().min(1).default('watchlist.yaml'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  /** Prefix for queue names in Redis, so several deployments (or tests) can share one Redis. */
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default('nm'),
  STORE: z.enum(['sqlite', 'elasticsearch'], { message: 'must be sqlite or elasticsearch' }).default('sqlite'),
  ELASTICSEARCH_URL: z.string().url().optional(),
  ALLOW_PRIVATE_FEEDS: booleanFromEnv.default(false),
  /** Required for write endpoints when HOST is not a loopback address. */
  API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  POLL_INTERVAL_MINUTES: z.coerce.number().min(1).max(1440).default(15),
  /** Feeds fetched at once, all hosts together. */
  POLL_CONCURRENCY: z.coerce.number({ message: 'must be a number' }).int().min(1).max(1000).default(8),
  /** Requests in flight to one host at once. */
  POLL_HOST_CONCURRENCY: z.coerce.number({ message: 'must be a number' }).int().min(1).max(100).default(2),
  /** Minimum time between the starts of two requests to one host. */
  POLL_HOST_GAP_MS: z.coerce.number({ message: 'must be a number' }).int().min(0).max(600_000).default(1000),
  /** Total deadline of one fetch (connect, redirects, headers, body): cuts servers that trickle forever. */
  FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),
  /** Deadline for DNS + TCP + TLS of one connection. */
  FETCH_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  /** Deadline from request to complete response headers, and the longest silence inside a body. */
  FETCH_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
  /** Comma-separated hosts (`intranet.example`, `*.corp.example`) and CIDRs opened despite the SSRF guard. */
  FEED_ALLOWLIST: z
    .string()
    .transform((s) => s.split(',').map((e) => e.trim()).filter(Boolean))
    .superRefine((entries, ctx) => {
      for (const e of entries) {
        if (!isAllowlistEntry(e)) ctx.addIssue({ code: 'custom', message: `"${e}" is not a host name, IP address or CIDR` });
      }
    })
    .default([]),
  FETCH_MAX_BYTES: z.coerce.number().int().min(1024).default(16 * 1024 * 1024),
  CONTACT_URL: z.string().url().default('https://github.com/narrative-monitor/narrative-monitor'),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Absolute path of the SQLite database file. */
  sqlitePath: string;
  watchlistPath: string;
  queue: { kind: 'embedded' } | { kind: 'bullmq'; redisUrl: string; prefix: string };
  store: { kind: 'sqlite' } | { kind: 'elasticsearch'; url: string };
  allowPrivateFeeds: boolean;
  /** FEED_ALLOWLIST: hosts and CIDRs fetched even when private addresses are refused. */
  feedAllowlist: string[];
  apiToken: string | undefined;
  logLevel: string;
  pollIntervalMinutes: number;
  /** Politeness of the poller: global and per-host concurrency, minimum gap between requests to one host. */
  polling: { concurrency: number; hostConcurrency: number; hostGapMs: number };
  fetch: {
    /** Total deadline of one fetch. */
    timeoutMs: number;
    connectTimeoutMs: number;
    headersTimeoutMs: number;
    maxBytes: number;
    userAgent: string;
  };
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const HOST_NAME = /^(?:\*\.)?(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.?$/i;

/** One FEED_ALLOWLIST entry: an IPv4/IPv6 address or CIDR, a host name, or `*.domain`. Pure. */
export function isAllowlistEntry(entry: string): boolean {
  const text = entry.replace(/^\[(.*)\]$/, '$1');
  const slash = text.indexOf('/');
  if (slash < 0) return net.isIP(text) !== 0 || HOST_NAME.test(text);
  const family = net.isIP(text.slice(0, slash));
  const bits = text.slice(slash + 1);
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

const PRODUCT_VERSION = '0.1.0';

/** Parses the environment. Throws ConfigError listing every bad variable by name. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // Empty strings count as unset: `FOO= cmd` is a common way to clear a variable.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0] ?? '?');
        const value = cleaned[name];
        return `${name}${value === undefined ? '' : `=${JSON.stringify(value)}`}: ${i.message}`;
      }),
    );
  }
  const e = parsed.data;
  if (e.STORE === 'elasticsearch' && !e.ELASTICSEARCH_URL) {
    throw new ConfigError(['ELASTICSEARCH_URL: required when STORE=elasticsearch']);
  }
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    sqlitePath: path.join(dataDir, 'narrative-monitor.db'),
    watchlistPath: path.resolve(e.WATCHLIST),
    queue: e.REDIS_URL ? { kind: 'bullmq', redisUrl: e.REDIS_URL, prefix: e.QUEUE_PREFIX } : { kind: 'embedded' },
    store:
      e.STORE === 'elasticsearch' && e.ELASTICSEARCH_URL
        ? { kind: 'elasticsearch', url: e.ELASTICSEARCH_URL }
        : { kind: 'sqlite' },
    allowPrivateFeeds: e.ALLOW_PRIVATE_FEEDS,
    feedAllowlist: e.FEED_ALLOWLIST,
    apiToken: e.API_TOKEN,
    logLevel: e.LOG_LEVEL,
    pollIntervalMinutes: e.POLL_INTERVAL_MINUTES,
    polling: { concurrency: e.POLL_CONCURRENCY, hostConcurrency: e.POLL_HOST_CONCURRENCY, hostGapMs: e.POLL_HOST_GAP_MS },
    fetch: {
      timeoutMs: e.FETCH_TIMEOUT_MS,
      connectTimeoutMs: e.FETCH_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: e.FETCH_HEADERS_TIMEOUT_MS,
      maxBytes: e.FETCH_MAX_BYTES,
      userAgent: `NarrativeMonitor/${PRODUCT_VERSION} (+${e.CONTACT_URL})`,
    },
  };
}

/** True when the API listens only on this machine, so write endpoints may skip the token. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
