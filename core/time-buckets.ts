/**
 * Calendar buckets (hour, day, week from Monday, month) in an IANA time zone, as pure functions over epoch ms.
 * Both stores and the API grid use them, so a bucket means the same instant range everywhere, DST included.
 */
import { ValidationError } from './errors.ts';
import type { TrendInterval } from './types.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The default zone of every trend. */
export const UTC_ZONE = 'UTC';

/** Buckets of one interval in one zone. Every method takes and returns epoch milliseconds. */
export interface ZoneBuckets {
  readonly interval: TrendInterval;
  /** Canonical IANA name (Intl's spelling). */
  readonly timeZone: string;
  /** True for UTC itself: bucket edges are plain UTC arithmetic. */
  readonly isUtc: boolean;
  /** Start of the bucket holding `ms`: the latest instant <= ms where the local clock shows the bucket's start. */
  start(ms: number): number;
  /** Start of the bucket after the one that starts at `start`. */
  next(start: number): number;
  /** Local time minus UTC at `ms`, in milliseconds. */
  offset(ms: number): number;
  /** Local bucket start as ISO 8601 with offset, e.g. "2024-03-31T00:00:00+01:00". */
  iso(start: number): string;
  /**
   * The store label of a bucket (TrendPoint.t): "YYYY-MM-DD" for day/week/month buckets in UTC (the form the
   * stores always used), else the same as `iso`.
   */
  label(start: number): string;
}

/** Intl's own name for a zone (ICU's, which may be an older alias: Asia/Kolkata -> Asia/Calcutta). */
function resolvedTimeZone(timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch (err) {
    throw new ValidationError('invalid_time_zone', `time-buckets: unknown time zone "${timeZone}" (use an IANA name such as Europe/Berlin)`, {
      cause: err,
    });
  }
}

/**
 * Checks an IANA zone name and returns it in Intl's case ("europe/berlin" -> "Europe/Berlin"). A name Intl knows
 * under another spelling is kept as given: ICU answers Asia/Kolkata with the old alias Asia/Calcutta, and the
 * researcher's (current) name is the one to echo and to pass on to Elasticsearch.
 * @throws ValidationError `invalid_time_zone` for a name Intl does not know.
 */
export function canonicalTimeZone(timeZone: string): string {
  const resolved = resolvedTimeZone(timeZone);
  return resolved.toLowerCase() === timeZone.toLowerCase() ? resolved : timeZone;
}

const floorDiv = (a: number, b: number): number => Math.floor(a / b);

type OffsetFn = (ms: number) => number;

/** Per-zone offset functions, shared by every call: building one costs an Intl formatter and its memo. */
const offsetFns = new Map<string, OffsetFn>();
/** Memoized UTC days per zone before the memo is reset (a bound on memory, never reached by a normal chart). */
const MEMO_DAYS = 200_000;

/**
 * Offset of `timeZone` at any instant. Intl's formatToParts costs ~17 µs, so offsets are computed once per UTC
 * day edge and memoized; a day whose two edges differ holds a transition, found once by bisection to the
 * second (Intl's resolution). Assumes at most one offset change per UTC day, true of every zone in tzdb.
 */
function offsetFnOf(timeZone: string): OffsetFn {
  const cached = offsetFns.get(timeZone);
  if (cached) return cached;
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    era: 'short',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const exact = (ms: number): number => {
    const p: Record<string, string> = {};
    for (const part of fmt.formatToParts(ms)) p[part.type] = part.value;
    let year = Number(p.year);
    if (p.era === 'BC' || p.era === 'B') year = 1 - year;
    const wall = Date.UTC(year, Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
    // Date.UTC maps years 0..99 to 1900..1999; setUTCFullYear does not.
    const fixed = year >= 0 && year < 100 ? new Date(wall).setUTCFullYear(year) : wall;
    return fixed - floorDiv(ms, SECOND) * SECOND;
  };
  const edges = new Map<number, number>();
  const days = new Map<number, { before: number; after: number; at: number }>();
  const edge = (d: number): number => {
    let v = edges.get(d);
    if (v === undefined) {
      v = exact(d * DAY);
      edges.set(d, v);
    }
    return v;
  };
  const fn = (ms: number): number => {
    const d = floorDiv(ms, DAY);
    const a = edge(d);
    const b = edge(d + 1);
    if (a === b) return a;
    let day = days.get(d);
    if (!day) {
      let lo = d * DAY;
      let hi = (d + 1) * DAY;
      while (hi - lo > SECOND) {
        const mid = lo + floorDiv(hi - lo, 2 * SECOND) * SECOND;
        if (exact(mid) === a) lo = mid;
        else hi = mid;
      }
      day = { before: a, after: b, at: hi };
      days.set(d, day);
    }
    if (edges.size > MEMO_DAYS) {
      edges.clear();
      days.clear();
    }
    return ms < day.at ? day.before : day.after;
  };
  offsetFns.set(timeZone, fn);
  return fn;
}

const pad = (n: number, width = 2): string => String(Math.abs(n)).padStart(width, '0');

function offsetText(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const minutes = Math.abs(offsetMs) / MINUTE;
  return `${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** The local wall time of `wallMs` (epoch-like ms read with UTC getters), ISO without zone. */
function wallIso(wallMs: number): string {
  const d = new Date(wallMs);
  const year = d.getUTCFullYear();
  const y = year >= 0 && year <= 9999 ? pad(year, 4) : `${year < 0 ? '-' : '+'}${pad(year, 6)}`;
  return `${y}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** Local midnight (as wall ms) that starts the day/week/month holding the wall time `wall`, or the hour. */
function wallBucketStart(interval: TrendInterval, wall: number): number {
  if (interval === 'hour') return floorDiv(wall, HOUR) * HOUR;
  const d = new Date(wall);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const midnight = d.getUTCFullYear() >= 0 && d.getUTCFullYear() < 100 ? new Date(day).setUTCFullYear(d.getUTCFullYear()) : day;
  if (interval === 'day') return midnight;
  // getUTCDay: Sunday = 0, so Monday-based weeks step back (day + 6) % 7 days.
  if (interval === 'week') return midnight - ((d.getUTCDay() + 6) % 7) * DAY;
  return midnight - (d.getUTCDate() - 1) * DAY;
}

/**
 * Buckets of `interval` in `timeZone` (IANA; default UTC). A bucket starts when the local clock reaches its start
 * (the hour, midnight, Monday midnight, the 1st at midnight); when DST skips that moment (a midnight that does not
 * exist), the bucket starts at the transition. Repeated local hours (autumn) are two buckets, told apart by offset.
 * @throws ValidationError `invalid_time_zone`
 */
export function createZoneBuckets(interval: TrendInterval, timeZone: string = UTC_ZONE): ZoneBuckets {
  const zone = canonicalTimeZone(timeZone);
  // Etc/UTC, Etc/GMT, Zulu… are UTC too: same fast path and labels.
  const isUtc = resolvedTimeZone(zone) === UTC_ZONE;
  const offset: OffsetFn = isUtc ? () => 0 : offsetFnOf(zone);
  const wallOf = (ms: number): number => ms + offset(ms);

  /** Latest instant <= notAfter whose wall time is `wall`; when the wall time was skipped, the transition. */
  const resolve = (wall: number, notAfter: number): number => {
    if (isUtc) return wall;
    const candidates = new Set([wall - offset(wall - DAY), wall - offset(wall + DAY), wall - offset(wall - offset(wall))]);
    let best = Number.NEGATIVE_INFINITY;
    for (const u of candidates) if (u <= notAfter && wallOf(u) === wall && u > best) best = u;
    if (best > Number.NEGATIVE_INFINITY) return best;
    // Skipped: the first instant whose wall time is past `wall` (wall time only jumps forward inside a gap).
    const offs = [offset(wall - DAY), offset(wall + DAY)];
    let lo = wall - Math.max(...offs);
    let hi = wall - Math.min(...offs);
    if (wallOf(lo) >= wall) return lo;
    while (hi - lo > 1) {
      const mid = lo + floorDiv(hi - lo, 2);
      if (wallOf(mid) >= wall) hi = mid;
      else lo = mid;
    }
    return hi;
  };

  const start = (ms: number): number => resolve(wallBucketStart(interval, wallOf(ms)), ms);

  const next = (s: number): number => {
    if (isUtc) {
      if (interval === 'hour') return s + HOUR;
      if (interval === 'day') return s + DAY;
      if (interval === 'week') return s + 7 * DAY;
      const d = new Date(s);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    }
    if (interval === 'hour') {
      // Local hours last 30 to 90 minutes around DST changes (Lord Howe shifts by 30): quarter steps find the next.
      for (let k = 1; k <= 8; k++) {
        const b = start(s + k * 15 * MINUTE);
        if (b > s) return b;
      }
      return s + HOUR;
    }
    // Any instant safely inside the next bucket: days last 23-25 h, weeks 7 d +- 1 h, months 28-31 d.
    if (interval === 'day') return start(s + 26 * HOUR);
    if (interval === 'week') return start(s + 7 * DAY + 3 * HOUR);
    return start(s + 32 * DAY);
  };

  const iso = (s: number): string => {
    const off = offset(s);
    // An offset with seconds (local mean time before ~1900) has no ISO spelling: say the instant in UTC.
    if (off % MINUTE !== 0) return `${wallIso(s)}+00:00`;
    return `${wallIso(s + off)}${offsetText(off)}`;
  };

  const label = (s: number): string => (isUtc && interval !== 'hour' ? wallIso(s).slice(0, 10) : iso(s));

  return { interval, timeZone: zone, isUtc, start, next, offset, iso, label };
}

/**
 * The bucket grid from the bucket holding `firstMs` to the bucket holding `lastMs`, inclusive: each bucket's start
 * and end (the next start). Null when it would hold more than `maxBuckets` buckets.
 */
export function bucketGrid(zb: ZoneBuckets, firstMs: number, lastMs: number, maxBuckets: number): { start: number; end: number }[] | null {
  const out: { start: number; end: number }[] = [];
  for (let b = zb.start(firstMs); b <= lastMs; ) {
    if (out.length >= maxBuckets) return null;
    const end = zb.next(b);
    out.push({ start: b, end });
    b = end;
  }
  return out;
}
