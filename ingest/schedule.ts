/**
 * When to check a feed next. Pure: the clock and the jitter source are passed in.
 * Deliberately simple (fixed interval, linear backoff); the adaptive scheduler is a later step.
 */

export type ScheduleOutcome =
  | { status: 'ok' | 'not_modified' }
  | {
      status: 'error';
      /** Retrying soon may help (5xx, 429, timeout, DNS, connection). */
      transient: boolean;
      /** Failures in a row, counting this one (>= 1). */
      consecutiveFailures: number;
    };

export interface SchedulePolicy {
  /** Normal polling interval. */
  intervalMinutes: number;
  /** Uniform random number in [0, 1), for jitter. */
  random: () => number;
}

/** No feed waits longer than this, whatever its failures. */
export const MAX_DELAY_MS = 24 * 60 * 60 * 1000;
// Never poll the same feed more often than once a minute, even with a tiny interval and unlucky jitter.
const MIN_DELAY_MS = 60 * 1000;
// ±10 %: spreads feeds added together so they are not all fetched in the same second.
const JITTER = 0.1;

/**
 * Next check time:
 * - success or 304: interval ± 10 % jitter;
 * - transient error: interval × consecutiveFailures (linear backoff) ± 10 %, capped at 24 h;
 * - permanent error: 24 h (a human has to fix the URL; checking daily notices when it comes back).
 */
export function nextCheckAt(outcome: ScheduleOutcome, now: Date, policy: SchedulePolicy): Date {
  const intervalMs = policy.intervalMinutes * 60 * 1000;
  let base: number;
  if (outcome.status !== 'error') base = intervalMs;
  else if (!outcome.transient) return new Date(now.getTime() + MAX_DELAY_MS);
  else base = intervalMs * Math.max(1, outcome.consecutiveFailures);
  const jitter = (policy.random() * 2 - 1) * JITTER;
  const delay = Math.min(MAX_DELAY_MS, Math.max(MIN_DELAY_MS, Math.round(base * (1 + jitter))));
  return new Date(now.getTime() + delay);
}
