/**
 * Dates in queries (`published:[2018-02-01 TO 2018-03-01]`): each written value stands for a period — a UTC year,
 * month or day, or one millisecond for a full date-time — so inclusive and exclusive range ends are exact.
 */

/** A written date as the half-open interval [start, end) of epoch milliseconds it covers. */
export interface DateInterval {
  start: number;
  end: number;
}

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number | null {
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const back = new Date(t);
  // Date.UTC rolls 2018-02-30 over into March; a date that does not round-trip does not exist.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  if (back.getUTCHours() !== h || back.getUTCMinutes() !== mi || back.getUTCSeconds() !== s) return null;
  return t;
}

/**
 * Parses `YYYY`, `YYYY-MM`, `YYYY-MM-DD` (UTC periods) or an ISO date-time `YYYY-MM-DDTHH:MM[:SS[.sss]][Z|±HH:MM]`
 * (UTC when the zone is omitted; an instant, i.e. a one-millisecond period). Null when it is none of these.
 */
export function parseDateValue(raw: string): DateInterval | null {
  const d = DATE.exec(raw);
  if (d) {
    const y = Number(d[1]);
    if (d[2] === undefined) return { start: Date.UTC(y, 0, 1), end: Date.UTC(y + 1, 0, 1) };
    const mo = Number(d[2]);
    if (mo < 1 || mo > 12) return null;
    if (d[3] === undefined) return { start: Date.UTC(y, mo - 1, 1), end: Date.UTC(y, mo, 1) };
    const start = utc(y, mo, Number(d[3]));
    return start === null ? null : { start, end: start + 86_400_000 };
  }
  const t = DATE_TIME.exec(raw);
  if (!t) return null;
  const ms = t[7] === undefined ? 0 : Number(t[7].padEnd(3, '0'));
  const local = utc(Number(t[1]), Number(t[2]), Number(t[3]), Number(t[4]), Number(t[5]), Number(t[6] ?? 0), ms);
  if (local === null) return null;
  const zone = t[8];
  let offsetMinutes = 0;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2));
    if (hours > 23 || minutes > 59) return null;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  const start = local - offsetMinutes * 60_000;
  return { start, end: start + 1 };
}
