/**
 * The schedule: adaptive interval from item dates, clamps, ttl / max-age / Expires floors, Retry-After (seconds
 * and dates, capped), linear backoff, soft 404s, jitter bounds and the 12 h unconditional fetch.
 */
import { describe, expect, it } from 'vitest';
import { parseFreshness, parseRetryAfter } from '../../ingest/fetch-feed.ts';
import {
  errorKind,
  MAX_DELAY_MS,
  needsUnconditionalFetch,
  nextCheckAt,
  planNextCheck,
  postingIntervalMinutes,
  type SchedulePolicy,
} from '../../ingest/schedule.ts';

const NOW = new Date('2024-05-01T12:00:00.000Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const delay = (d: Date) => d.getTime() - NOW.getTime();
const policy = (r: number, intervalMinutes = 15): SchedulePolicy => ({ intervalMinutes, random: () => r });
/** `n` item dates, one every `gapMinutes`, the newest `ageMinutes` before NOW. */
const dates = (n: number, gapMinutes: number, ageMinutes = 0) =>
  Array.from({ length: n }, (_, i) => new Date(NOW.getTime() - (ageMinutes + i * gapMinutes) * MIN));

describe('postingIntervalMinutes', () => {
  it('is the time from the oldest of the newest 20 dated items to now, per item', () => {
    // 10 items over the last 90 minutes, one every 10 → (90 + 0) / 10 = 9 min.
    expect(postingIntervalMinutes(dates(10, 10), NOW)).toBe(9);
    // Only the newest 20 count: 50 hourly items → 19 h / 20 items.
    expect(postingIntervalMinutes(dates(50, 60), NOW)).toBeCloseTo((19 * 60) / 20, 6);
    // A feed that went quiet a day ago: the silence lengthens the interval.
    expect(postingIntervalMinutes(dates(10, 10, 24 * 60), NOW)).toBeCloseTo((24 * 60 + 90) / 10, 6);
  });

  it('ignores undated items, caps future dates at now, and needs two dates', () => {
    expect(postingIntervalMinutes([null, new Date(NOW.getTime() - HOUR), null], NOW)).toBeNull();
    expect(postingIntervalMinutes([], NOW)).toBeNull();
    expect(postingIntervalMinutes([new Date(NOW.getTime() + 10 * HOUR), new Date(NOW.getTime() - 60 * MIN)], NOW)).toBe(30);
    expect(postingIntervalMinutes([new Date(Number.NaN), new Date(NOW.getTime() - MIN)], NOW)).toBeNull();
  });
});

describe('planNextCheck: successful fetches', () => {
  it('adapts the interval to the posting rate and stores it unjittered', () => {
    const busy = planNextCheck({ status: 'ok', itemDates: dates(20, 12) }, { intervalMinutes: null }, NOW, policy(0.5));
    expect(busy.intervalMinutes).toBe(Math.round((19 * 12) / 20));
    expect(delay(busy.nextCheckAt)).toBe(Math.round(((19 * 12) / 20) * MIN));
    const slow = planNextCheck({ status: 'ok', itemDates: dates(10, 6 * 60) }, { intervalMinutes: null }, NOW, policy(0.5));
    expect(slow.intervalMinutes).toBe(Math.round((9 * 6 * 60) / 10));
  });

  it('clamps the adaptive interval to 5 min – 24 h (or the configured clamps)', () => {
    const flood = planNextCheck({ status: 'ok', itemDates: dates(20, 0.1) }, { intervalMinutes: null }, NOW, policy(0.5));
    expect(flood.intervalMinutes).toBe(5);
    expect(delay(flood.nextCheckAt)).toBe(5 * MIN);
    const dead = planNextCheck({ status: 'ok', itemDates: dates(5, 30 * 24 * 60) }, { intervalMinutes: null }, NOW, policy(0.5));
    expect(dead.intervalMinutes).toBe(24 * 60);
    expect(delay(dead.nextCheckAt)).toBe(MAX_DELAY_MS);
    const custom = planNextCheck(
      { status: 'ok', itemDates: dates(20, 0.1) },
      { intervalMinutes: null },
      NOW,
      { ...policy(0.5), minIntervalMinutes: 10, maxIntervalMinutes: 120 },
    );
    expect(custom.intervalMinutes).toBe(10);
  });

  it('keeps the stored interval (else the default) when items carry no dates', () => {
    expect(planNextCheck({ status: 'ok', itemDates: [null, null] }, { intervalMinutes: 42 }, NOW, policy(0.5)).intervalMinutes).toBe(42);
    expect(planNextCheck({ status: 'ok', itemDates: [] }, { intervalMinutes: null }, NOW, policy(0.5)).intervalMinutes).toBe(15);
  });

  it('honours RSS ttl and Cache-Control max-age / Expires as a floor, capped at 24 h', () => {
    const busy = dates(20, 1);
    const ttl = planNextCheck({ status: 'ok', itemDates: busy, ttlMinutes: 60 }, { intervalMinutes: null }, NOW, policy(0.5));
    expect(ttl.intervalMinutes).toBe(60);
    expect(delay(ttl.nextCheckAt)).toBe(60 * MIN);
    const maxAge = planNextCheck({ status: 'ok', itemDates: busy, freshnessSeconds: 1800 }, { intervalMinutes: null }, NOW, policy(0.5));
    expect(maxAge.intervalMinutes).toBe(30);
    const huge = planNextCheck({ status: 'ok', itemDates: busy, ttlMinutes: 7 * 24 * 60 }, { intervalMinutes: null }, NOW, policy(0.5));
    expect(huge.intervalMinutes).toBe(24 * 60);
    // A floor lower than the rate changes nothing.
    const low = planNextCheck({ status: 'ok', itemDates: dates(10, 60), freshnessSeconds: 60 }, { intervalMinutes: null }, NOW, policy(0.5));
    expect(low.intervalMinutes).toBe(54);
    // Freshness as fetch-feed computes it from the headers: max-age wins over Expires; Expires − Date otherwise.
    expect(parseFreshness('public, max-age=900', 'Wed, 01 May 2024 14:00:00 GMT', null, NOW)).toBe(900);
    expect(parseFreshness(null, 'Wed, 01 May 2024 13:00:00 GMT', 'Wed, 01 May 2024 12:00:00 GMT', NOW)).toBe(3600);
    const expires = parseFreshness(null, 'Wed, 01 May 2024 14:00:00 GMT', null, NOW);
    expect(planNextCheck({ status: 'ok', itemDates: busy, freshnessSeconds: expires }, { intervalMinutes: null }, NOW, policy(0.5)).intervalMinutes).toBe(120);
  });

  it('after a 304 keeps the stored interval, floored by the response freshness', () => {
    const p = planNextCheck({ status: 'not_modified' }, { intervalMinutes: 40 }, NOW, policy(0.5));
    expect(p.intervalMinutes).toBe(40);
    expect(delay(p.nextCheckAt)).toBe(40 * MIN);
    expect(delay(planNextCheck({ status: 'not_modified', freshnessSeconds: 3 * 3600 }, { intervalMinutes: 40 }, NOW, policy(0.5)).nextCheckAt)).toBe(3 * HOUR);
    expect(delay(nextCheckAt({ status: 'not_modified' }, NOW, policy(0.5)))).toBe(15 * MIN);
  });
});

describe('planNextCheck: jitter', () => {
  it('jitters every delay by at most ±10 %', () => {
    expect(delay(nextCheckAt({ status: 'ok' }, NOW, policy(0)))).toBe(13.5 * MIN);
    expect(delay(nextCheckAt({ status: 'ok' }, NOW, policy(0.999999)))).toBeCloseTo(16.5 * MIN, -2);
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const d = delay(nextCheckAt({ status: 'ok' }, NOW, { intervalMinutes: 15, random: Math.random }));
      expect(d).toBeGreaterThanOrEqual(13.5 * MIN);
      expect(d).toBeLessThanOrEqual(16.5 * MIN);
      seen.add(Math.round(d / 1000));
    }
    // Feeds added together really spread out.
    expect(seen.size).toBeGreaterThan(100);
  });

  it('never schedules sooner than a minute or later than 24 h', () => {
    expect(delay(nextCheckAt({ status: 'ok' }, NOW, { intervalMinutes: 0.5, random: () => 0 }))).toBe(MIN);
    expect(delay(planNextCheck({ status: 'ok', ttlMinutes: 24 * 60 }, { intervalMinutes: null }, NOW, policy(0.999)).nextCheckAt)).toBe(MAX_DELAY_MS);
  });
});

describe('planNextCheck: errors', () => {
  const err = (kind: 'transient' | 'soft' | 'permanent', n: number, extra: { retryAfterSeconds?: number } = {}) =>
    ({ status: 'error', kind, consecutiveFailures: n, ...extra }) as const;

  it('backs off linearly from the feed interval on transient errors, capped at 24 h, never giving up', () => {
    const t = (n: number, interval: number | null = null) => delay(planNextCheck(err('transient', n), { intervalMinutes: interval }, NOW, policy(0.5)).nextCheckAt);
    expect(t(1)).toBe(15 * MIN);
    expect(t(2)).toBe(30 * MIN);
    expect(t(4)).toBe(60 * MIN);
    expect(t(3, 60)).toBe(3 * HOUR);
    expect(t(500)).toBe(MAX_DELAY_MS);
    expect(t(100_000)).toBe(MAX_DELAY_MS);
    // The stored interval is not changed by failures.
    expect(planNextCheck(err('transient', 3), { intervalMinutes: 60 }, NOW, policy(0.5)).intervalMinutes).toBe(60);
  });

  it('retries a 404 slowly (4 h per failure) and waits a day after a permanent error', () => {
    expect(delay(planNextCheck(err('soft', 1), { intervalMinutes: 5 }, NOW, policy(0.5)).nextCheckAt)).toBe(4 * HOUR);
    expect(delay(planNextCheck(err('soft', 3), { intervalMinutes: 5 }, NOW, policy(0.5)).nextCheckAt)).toBe(12 * HOUR);
    expect(delay(planNextCheck(err('soft', 9), { intervalMinutes: 5 }, NOW, policy(0.5)).nextCheckAt)).toBe(MAX_DELAY_MS);
    expect(delay(planNextCheck(err('permanent', 1), { intervalMinutes: 5 }, NOW, policy(0.5)).nextCheckAt)).toBe(MAX_DELAY_MS);
    expect(delay(planNextCheck({ status: 'gone' }, { intervalMinutes: 5 }, NOW, policy(0.5)).nextCheckAt)).toBe(MAX_DELAY_MS);
  });

  it('waits at least Retry-After (seconds or HTTP date), capped at 24 h, with jitter only adding to it', () => {
    const seconds = parseRetryAfter('7200', NOW);
    expect(seconds).toBe(7200);
    expect(delay(planNextCheck(err('transient', 1, { retryAfterSeconds: seconds! }), { intervalMinutes: null }, NOW, policy(0.5)).nextCheckAt)).toBe(2 * HOUR);
    for (const r of [0, 0.3, 0.7, 0.999]) {
      const d = delay(planNextCheck(err('transient', 1, { retryAfterSeconds: 7200 }), { intervalMinutes: null }, NOW, policy(r)).nextCheckAt);
      expect(d).toBeGreaterThanOrEqual(2 * HOUR);
      expect(d).toBeLessThanOrEqual(2.2 * HOUR);
    }
    const date = parseRetryAfter('Wed, 01 May 2024 15:00:00 GMT', NOW);
    expect(date).toBe(3 * 3600);
    expect(delay(planNextCheck(err('transient', 1, { retryAfterSeconds: date! }), { intervalMinutes: null }, NOW, policy(0.5)).nextCheckAt)).toBe(3 * HOUR);
    // A shorter Retry-After does not shorten the backoff; a huge one is capped.
    expect(delay(planNextCheck(err('transient', 4, { retryAfterSeconds: 60 }), { intervalMinutes: null }, NOW, policy(0.5)).nextCheckAt)).toBe(HOUR);
    expect(delay(planNextCheck(err('transient', 1, { retryAfterSeconds: 30 * 86400 }), { intervalMinutes: null }, NOW, policy(0.5)).nextCheckAt)).toBe(MAX_DELAY_MS);
  });

  it('classifies error codes', () => {
    expect(errorKind('timeout', true)).toBe('transient');
    expect(errorKind('http_429', true)).toBe('transient');
    expect(errorKind('http_404', false)).toBe('soft');
    expect(errorKind('not_a_feed', false)).toBe('permanent');
    expect(errorKind('http_403', false)).toBe('permanent');
  });
});

describe('needsUnconditionalFetch', () => {
  it('is true for a feed never fully fetched and once the last 200 is 12 h old', () => {
    expect(needsUnconditionalFetch(null, NOW)).toBe(true);
    expect(needsUnconditionalFetch(new Date(NOW.getTime() - 11.9 * HOUR).toISOString(), NOW)).toBe(false);
    expect(needsUnconditionalFetch(new Date(NOW.getTime() - 12 * HOUR).toISOString(), NOW)).toBe(true);
    expect(needsUnconditionalFetch('garbage', NOW)).toBe(true);
  });
});
