/**
 * When to check a feed next, and how often to check it. Pure: the clock and the jitter source are passed in.
 * The interval follows the feed's posting rate and what the server says (ttl, max-age, Expires, Retry-After).
 */

/** How a failed fetch is retried. */
export type ErrorKind =
  /** Timeouts, 5xx, 429, DNS, connection: linear backoff from the feed's interval, never given up. */
  | 'transient'
  /** 404: the URL may come back (site redesigns); retried slowly. */
  | 'soft'
  /** Everything a retry cannot fix soon (parse errors, SSRF refusals, bombs, 401/403): once a day. */
  | 'permanent';

export type ScheduleOutcome =
  | {
      status: 'ok';
      /** Dates of the document's items (publishedAt; null/undated ignored): the posting rate comes from them. */
      itemDates?: readonly (Date | null)[];
      /** RSS `<ttl>` in minutes. */
      ttlMinutes?: number | null;
      /** Cache-Control max-age / Expires of the response, in seconds. */
      freshnessSeconds?: number | null;
    }
  | {
      /** 304, or a 200 whose body is byte-identical to the last committed one. */
      status: 'not_modified';
      freshnessSeconds?: number | null;
    }
  | {
      status: 'error';
      kind: ErrorKind;
      /** Failures in a row, counting this one (>= 1). */
      consecutiveFailures: number;
      /** Parsed Retry-After of the response, in seconds. */
      retryAfterSeconds?: number | null;
    }
  | {
      /** HTTP 410: no longer polled by pollDue; the date is only for display. */
      status: 'gone';
    };

export interface SchedulePolicy {
  /** The interval when the posting rate is unknown (new feed, undated items). */
  intervalMinutes: number;
  /** Lower clamp of the adaptive interval. @defaultValue min(5, intervalMinutes) */
  minIntervalMinutes?: number;
  /** Upper clamp of the adaptive interval. @defaultValue 1440 (24 h) */
  maxIntervalMinutes?: number;
  /** Uniform random number in [0, 1), for jitter. */
  random: () => number;
}

/** The feed's scheduling state before this outcome. */
export interface FeedScheduleState {
  /** The interval stored on the feed, null for a feed never fetched successfully. */
  intervalMinutes: number | null;
}

export interface SchedulePlan {
  nextCheckAt: Date;
  /** The interval to store on the feed (unjittered, clamped). */
  intervalMinutes: number;
}

/** No feed waits longer than this, whatever its failures or what its server asks for. */
export const MAX_DELAY_MS = 24 * 60 * 60 * 1000;
/** A feed is fetched without validators when its last full (200) response is older than this. */
export const UNCONDITIONAL_EVERY_MS = 12 * 60 * 60 * 1000;
/** Base delay of a soft failure (404), multiplied by the failures in a row. */
export const SOFT_FAILURE_BASE_MS = 4 * 60 * 60 * 1000;
// Never poll the same feed more often than once a minute, even with a tiny interval and unlucky jitter.
const MIN_DELAY_MS = 60 * 1000;
// ±10 %: spreads feeds added together so they are not all fetched in the same second.
const JITTER = 0.1;
// The rate is estimated from at most this many of the newest dated items: old items describe an old rhythm.
const RATE_SAMPLE = 20;
const MINUTE_MS = 60 * 1000;

function clampInterval(minutes: number, policy: SchedulePolicy): number {
  const min = policy.minIntervalMinutes ?? Math.min(5, policy.intervalMinutes);
  const max = policy.maxIntervalMinutes ?? MAX_DELAY_MS / MINUTE_MS;
  return Math.min(max, Math.max(min, minutes));
}

/**
 * The interval matching a feed's posting rate: the time from the oldest of its newest 20 dated items until
 * `now`, divided by their number — about one new item per check. Counting up to `now` (not to the newest
 * item) lengthens the interval of a feed that went quiet. Items dated after `now` count as `now`.
 * Null when fewer than two items carry a date. Unclamped.
 */
export function postingIntervalMinutes(itemDates: readonly (Date | null)[], now: Date): number | null {
  const nowMs = now.getTime();
  const times = itemDates
    .filter((d): d is Date => d !== null && Number.isFinite(d.getTime()))
    .map((d) => Math.min(d.getTime(), nowMs))
    .sort((a, b) => b - a)
    .slice(0, RATE_SAMPLE);
  if (times.length < 2) return null;
  const oldest = times[times.length - 1]!;
  return (nowMs - oldest) / times.length / MINUTE_MS;
}

/** True when the feed must be fetched without If-None-Match / If-Modified-Since (some servers send false 304s). */
export function needsUnconditionalFetch(lastFullFetchAt: string | null, now: Date): boolean {
  if (lastFullFetchAt === null) return true;
  const t = Date.parse(lastFullFetchAt);
  return !Number.isFinite(t) || now.getTime() - t >= UNCONDITIONAL_EVERY_MS;
}

/** Maps a stable fetch/parse error code to how it is retried. */
export function errorKind(code: string, transient: boolean): ErrorKind {
  if (transient) return 'transient';
  if (code === 'http_404') return 'soft';
  return 'permanent';
}

/**
 * Plans the next check:
 * - ok: interval = posting rate of the items (else the stored interval, else the default), clamped to
 *   [min, max], and never shorter than the feed's ttl or the response's freshness (both capped at max);
 * - not_modified: the stored interval, never shorter than the response's freshness;
 * - transient error: interval × consecutiveFailures (linear backoff);
 * - soft error (404): 4 h × consecutiveFailures;
 * - permanent error: 24 h;
 * - any error with Retry-After: at least that long (capped at 24 h);
 * - gone: 24 h (display only; gone feeds are not due).
 * Every delay gets ±10 % jitter, then is kept within [1 min, 24 h].
 */
export function planNextCheck(outcome: ScheduleOutcome, state: FeedScheduleState, now: Date, policy: SchedulePolicy): SchedulePlan {
  const maxMinutes = policy.maxIntervalMinutes ?? MAX_DELAY_MS / MINUTE_MS;
  let interval = clampInterval(state.intervalMinutes ?? policy.intervalMinutes, policy);
  let base: number;
  let floor = 0;
  switch (outcome.status) {
    case 'ok': {
      const rate = outcome.itemDates ? postingIntervalMinutes(outcome.itemDates, now) : null;
      if (rate !== null) interval = clampInterval(rate, policy);
      // The server's own caching rules win over our estimate, up to the 24 h ceiling.
      const serverMinutes = Math.max(outcome.ttlMinutes ?? 0, (outcome.freshnessSeconds ?? 0) / 60);
      interval = Math.max(interval, Math.min(maxMinutes, serverMinutes));
      base = interval * MINUTE_MS;
      break;
    }
    case 'not_modified':
      base = Math.max(interval * MINUTE_MS, Math.min(maxMinutes * MINUTE_MS, (outcome.freshnessSeconds ?? 0) * 1000));
      break;
    case 'error': {
      const failures = Math.max(1, outcome.consecutiveFailures);
      base =
        outcome.kind === 'transient'
          ? interval * MINUTE_MS * failures
          : outcome.kind === 'soft'
            ? SOFT_FAILURE_BASE_MS * failures
            : MAX_DELAY_MS;
      if (outcome.retryAfterSeconds) floor = Math.min(MAX_DELAY_MS, outcome.retryAfterSeconds * 1000);
      break;
    }
    case 'gone':
      base = MAX_DELAY_MS;
      break;
  }
  const jitter = (policy.random() * 2 - 1) * JITTER;
  let delay = Math.min(MAX_DELAY_MS, Math.max(MIN_DELAY_MS, Math.round(base * (1 + jitter))));
  // Retry-After is a floor the server asked for: jitter only ever adds to it.
  if (delay < floor) delay = Math.min(MAX_DELAY_MS, floor + Math.round(Math.abs(jitter) * floor));
  return { nextCheckAt: new Date(now.getTime() + delay), intervalMinutes: Math.round(interval) };
}

/** planNextCheck for a feed with no stored interval, returning only the date. */
export function nextCheckAt(outcome: ScheduleOutcome, now: Date, policy: SchedulePolicy): Date {
  return planNextCheck(outcome, { intervalMinutes: null }, now, policy).nextCheckAt;
}
