/** nextCheckAt: interval with jitter, linear backoff for transient errors, a day for permanent ones. */
import { describe, expect, it } from 'vitest';
import { MAX_DELAY_MS, nextCheckAt } from '../../ingest/schedule.ts';

const NOW = new Date('2024-05-01T12:00:00.000Z');
const MIN = 60_000;
const delay = (d: Date) => d.getTime() - NOW.getTime();
const policy = (r: number, intervalMinutes = 15) => ({ intervalMinutes, random: () => r });

describe('nextCheckAt', () => {
  it('schedules success at the interval, jittered by at most ±10 %', () => {
    expect(delay(nextCheckAt({ status: 'ok' }, NOW, policy(0.5)))).toBe(15 * MIN);
    expect(delay(nextCheckAt({ status: 'ok' }, NOW, policy(0)))).toBe(13.5 * MIN);
    expect(delay(nextCheckAt({ status: 'not_modified' }, NOW, policy(0.999999)))).toBeCloseTo(16.5 * MIN, -2);
  });

  it('spreads feeds with real randomness within the band', () => {
    for (let i = 0; i < 200; i++) {
      const d = delay(nextCheckAt({ status: 'ok' }, NOW, { intervalMinutes: 15, random: Math.random }));
      expect(d).toBeGreaterThanOrEqual(13.5 * MIN);
      expect(d).toBeLessThanOrEqual(16.5 * MIN);
    }
  });

  it('backs off linearly on transient errors, capped at 24 h', () => {
    const t = (n: number) => delay(nextCheckAt({ status: 'error', transient: true, consecutiveFailures: n }, NOW, policy(0.5)));
    expect(t(1)).toBe(15 * MIN);
    expect(t(2)).toBe(30 * MIN);
    expect(t(4)).toBe(60 * MIN);
    expect(t(500)).toBe(MAX_DELAY_MS);
    expect(delay(nextCheckAt({ status: 'error', transient: true, consecutiveFailures: 96 }, NOW, policy(0.99)))).toBe(MAX_DELAY_MS);
  });

  it('waits a day after a permanent error', () => {
    expect(delay(nextCheckAt({ status: 'error', transient: false, consecutiveFailures: 1 }, NOW, policy(0.1)))).toBe(MAX_DELAY_MS);
  });

  it('never schedules sooner than a minute', () => {
    expect(delay(nextCheckAt({ status: 'ok' }, NOW, { intervalMinutes: 0.5, random: () => 0 }))).toBe(MIN);
  });
});
