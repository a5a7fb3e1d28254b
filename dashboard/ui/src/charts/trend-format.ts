/**
 * Formatting shared by the Trends and Matrix pages and their charts (kept apart from the chart so pages that
 * only need a label do not pull in recharts): bucket labels, time zones offered, drill-down ranges and values.
 */
import type { TrendInterval } from '../../../../core/types.ts';

/** Zones offered in the pickers (any IANA name also works in the URL). */
export const TIME_ZONES: readonly string[] = [
  'UTC',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Kyiv',
  'Europe/Moscow',
  'Asia/Dubai',
  'Asia/Kolkata',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Australia/Sydney',
  'America/Sao_Paulo',
  'America/New_York',
  'America/Chicago',
  'America/Los_Angeles',
];

/**
 * Axis label of a bucket start. The ISO string already holds the local wall time of the chart's zone, so it is
 * read as text rather than through the browser's zone.
 */
export function formatBucketLabel(t: string, interval: TrendInterval): string {
  if (interval === 'month') return t.slice(0, 7);
  if (interval === 'hour') return `${t.slice(5, 10)} ${t.slice(11, 16)}`;
  return t.slice(0, 10);
}

/** A tag value for a query: quoted, with `"` and `\` escaped, so any term or name stays one value. */
export function quoteValue(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A UTC midnight bucket edge as a plain date (short shareable URLs, and what the date inputs show). */
function compact(iso: string): string {
  return iso.endsWith('T00:00:00+00:00') ? iso.slice(0, 10) : iso;
}

/**
 * The Search range of a bucket [start, end), clamped to the page's own from/to: a week or month bucket can start
 * before `from` or end after `to`.
 */
export function searchRange(start: string, end: string, from: string, to: string): { from: string; to: string } {
  const later = (a: string, b: string): string => (b && Date.parse(b) > Date.parse(a) ? b : a);
  const earlier = (a: string, b: string): string => (b && Date.parse(b) < Date.parse(a) ? b : a);
  return { from: compact(later(start, from)), to: compact(earlier(end, to)) };
}
