/**
 * Display helpers. All dates are shown in UTC because the store buckets trends in UTC; mixing in the
 * browser's zone would make a point and its drill-down disagree by a day.
 */
import type { TrendInterval } from '../../../core/types.ts';

/** "2018-02-12 14:03 UTC" from an ISO datetime; "—" when absent. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "2018-02-12" from an ISO datetime. */
export function formatDay(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 10);
}

/** Thousands separators, fixed locale so screenshots and tests read the same everywhere. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * Exclusive end of the bucket starting at `start` (YYYY-MM-DD): the next day, the next Monday (weeks start
 * Monday) or the first of the next month. Used as `to` when drilling down from a chart point.
 */
export function bucketEnd(start: string, interval: TrendInterval): string {
  const d = new Date(`${start}T00:00:00Z`);
  if (interval === 'day') d.setUTCDate(d.getUTCDate() + 1);
  else if (interval === 'week') d.setUTCDate(d.getUTCDate() + 7);
  else d.setUTCMonth(d.getUTCMonth() + 1, 1);
  return d.toISOString().slice(0, 10);
}

/** Bucket label on the chart axis: days and weeks by date, months as "2018-02". */
export function formatBucket(t: string, interval: TrendInterval): string {
  return interval === 'month' ? t.slice(0, 7) : t;
}
