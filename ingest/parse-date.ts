/**
 * Feed date strings → instants. Strict by design: every accepted shape is validated field by field, and
 * anything unrecognized (an unknown zone, a stray word, an impossible day) yields null, never a guess.
 */

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11,
  november: 11, dec: 12, december: 12,
};

const WEEKDAYS = new Set([
  'mon', 'monday', 'tue', 'tues', 'tuesday', 'wed', 'wednesday', 'thu', 'thur', 'thurs', 'thursday', 'fri', 'friday',
  'sat', 'saturday', 'sun', 'sunday',
]);

// Offsets in minutes. US single-word zones (ET, PT...) are read as standard time, as feedparser does.
// Ambiguous abbreviations (IST: India/Ireland/Israel, BST: British/Bangladesh...) are deliberately absent:
// an unknown zone gives null rather than an instant that may be hours off.
const ZONES: Readonly<Record<string, number>> = {
  z: 0, ut: 0, utc: 0, gmt: 0, wet: 0, 'etc/gmt': 0, 'etc/utc': 0,
  est: -300, edt: -240, et: -300, cst: -360, cdt: -300, ct: -360, mst: -420, mdt: -360, mt: -420,
  pst: -480, pdt: -420, pt: -480, ast: -240, adt: -180, at: -240, akst: -540, akdt: -480, hst: -600,
  nst: -210, ndt: -150,
  cet: 60, cest: 120, met: 60, mest: 120, mez: 60, mesz: 120, west: 60, eet: 120, eest: 180,
  msk: 180, msd: 240, jst: 540, kst: 540, hkt: 480, sgt: 480, pht: 480, wib: 420, pkt: 300,
  aest: 600, aedt: 660, acst: 570, acdt: 630, awst: 480, nzst: 720, nzdt: 780,
};

// Localized month names, compared after removing diacritics and lower-casing.
const GREEK_MONTHS: Readonly<Record<string, string>> = {
  ιαν: 'Jan', φεβ: 'Feb', μαρ: 'Mar', μαω: 'Mar', απρ: 'Apr', μαι: 'May', ιουν: 'Jun', ιον: 'Jun', ιουλ: 'Jul',
  ιολ: 'Jul', αυγ: 'Aug', σεπ: 'Sep', οκτ: 'Oct', νοε: 'Nov', δεκ: 'Dec',
};
const GREEK_WEEKDAYS = new Set(['κυρ', 'δευ', 'τρι', 'τετ', 'πεμ', 'παρ', 'σαβ']);
const HUNGARIAN_MONTHS: Readonly<Record<string, number>> = {
  januar: 1, februar: 2, marcius: 3, aprilis: 4, majus: 5, junius: 6, julius: 7, augusztus: 8, szeptember: 9,
  oktober: 10, november: 11, december: 12,
};

function stripDiacritics(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function pad(n: number | string, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Builds the instant or returns null when any field is out of range (no Date rollover). */
function makeDate(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMin: number): Date | null {
  if (!(y >= 1 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 59)) {
    return null;
  }
  const probe = new Date(0);
  probe.setUTCFullYear(y, mo - 1, d);
  if (probe.getUTCMonth() !== mo - 1) return null; // 31 April, 29 Feb in a common year
  probe.setUTCHours(h, mi, s, ms);
  const t = probe.getTime() - offsetMin * 60_000;
  const out = new Date(t);
  const year = out.getUTCFullYear();
  return year >= 1 && year <= 9999 ? out : null;
}

function twoDigitYear(yy: number): number {
  // RFC 2822 §4.3: 00–49 are 2000–2049, 50–99 are 1950–1999.
  return yy < 50 ? 2000 + yy : 1900 + yy;
}

/** "+05:30", "-0800", "+05", "Z", "GMT+01:00", named zones; minutes east of UTC, or null. */
function parseZone(raw: string): number | null {
  const z = raw.toLowerCase();
  if (z in ZONES) return ZONES[z] ?? null;
  const etc = /^etc\/gmt([+-])(\d{1,2})$/.exec(z);
  // POSIX sign convention: Etc/GMT+5 is five hours *behind* UTC.
  if (etc) return (etc[1] === '+' ? -1 : 1) * Number(etc[2]) * 60;
  const m = /^(?:gmt|utc|ut)?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(z);
  if (!m) return null;
  const hours = Number(m[2]);
  const minutes = m[3] === undefined ? 0 : Number(m[3]);
  if (hours > 14 || minutes > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

const W3C =
  /^(\d{4})(?:-(\d{2}|0\d{2})(?:-(\d{1,2}))?)?(?:(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const ISO_COMPACT = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(?:(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const ISO_TWO_DIGIT_YEAR = /^(?:-(\d{2})-(\d{2})|(\d{2})-(\d{2})-(\d{2})|(\d{2})(\d{2})(\d{2}))$/;

function fromParts(
  y: string, mo: string | undefined, d: string | undefined, h: string | undefined, mi: string | undefined,
  s: string | undefined, frac: string | undefined, zone: string | undefined,
): Date | null {
  const offset = zone ? parseZone(zone) : 0;
  if (offset === null) return null;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  return makeDate(Number(y), mo ? Number(mo) : 1, d ? Number(d) : 1, h ? Number(h) : 0, mi ? Number(mi) : 0, s ? Number(s) : 0, ms, offset);
}

/** W3C-DTF / RFC 3339 / ISO 8601 (incl. partial dates, MSSQL "YYYY-MM-DD hh:mm:ss.f"). `undefined` = not this shape. */
function parseIso(text: string): Date | null | undefined {
  let m = W3C.exec(text);
  if (m) return fromParts(m[1]!, m[2], m[3], m[4], m[5], m[6], m[7], m[8]);
  m = ISO_COMPACT.exec(text);
  if (m) return fromParts(m[1]!, m[2], m[3], m[4], m[5], m[6], m[7], m[8]);
  m = ISO_TWO_DIGIT_YEAR.exec(text);
  if (m) {
    if (m[1]) return makeDate(twoDigitYear(Number(m[1])), Number(m[2]), 1, 0, 0, 0, 0, 0);
    if (m[3]) return makeDate(twoDigitYear(Number(m[3])), Number(m[4]), Number(m[5]), 0, 0, 0, 0, 0);
    return makeDate(twoDigitYear(Number(m[6])), Number(m[7]), Number(m[8]), 0, 0, 0, 0, 0);
  }
  return undefined;
}

const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?$/;

/**
 * RFC 822 / 2822 and its real-world relatives, token by token: optional weekday, day and month in either
 * order, 2- or 4-digit year before or after the time (asctime), optional AM/PM, optional zone; also the
 * Perforce "YYYY/MM/DD" date. Every token must be understood.
 */
function parseRfc822Like(text: string): Date | null {
  const tokens = text
    .replace(/\([^)]*\)/g, ' ')
    .replace(/,/g, ' ')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  let month: number | null = null;
  let monthIndex = -1;
  const numbers: Array<{ value: string; index: number }> = [];
  let time: RegExpExecArray | null = null;
  let zone: number | null = null;
  let meridiem: 'am' | 'pm' | null = null;
  let ymd: [number, number, number] | null = null;
  for (const [index, raw] of tokens.entries()) {
    const token = raw.replace(/\.$/, '');
    const lower = token.toLowerCase();
    if (index === 0 && WEEKDAYS.has(lower)) continue;
    const mon = MONTHS[lower];
    if (mon !== undefined && month === null) {
      month = mon;
      monthIndex = index;
      continue;
    }
    if (/^\d{1,4}$/.test(token)) {
      numbers.push({ value: token, index });
      continue;
    }
    const t = TIME.exec(token);
    if (t && !time) {
      time = t;
      continue;
    }
    if ((lower === 'am' || lower === 'pm') && time && !meridiem) {
      meridiem = lower;
      continue;
    }
    const slashDate = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(token);
    if (slashDate && !ymd) {
      ymd = [Number(slashDate[1]), Number(slashDate[2]), Number(slashDate[3])];
      continue;
    }
    // A zone glued to the time ("10:00:00+0200") or given as its own token.
    const glued = /^(\d{1,2}:\d{2}(?::\d{2})?)([+-]\d{2}:?\d{2}|Z)$/i.exec(token);
    if (glued && !time && zone === null) {
      time = TIME.exec(glued[1]!);
      zone = parseZone(glued[2]!);
      if (zone === null) return null;
      continue;
    }
    if (zone === null && time) {
      const z = parseZone(token);
      if (z !== null) {
        zone = z;
        continue;
      }
    }
    return null;
  }
  let year: number;
  let mon: number;
  let day: number;
  if (ymd) {
    if (month !== null || numbers.length > 0) return null;
    [year, mon, day] = ymd;
  } else {
    if (month === null || numbers.length !== 2) return null;
    const [a, b] = numbers as [{ value: string; index: number }, { value: string; index: number }];
    // Day is the 1–2 digit number; the year is 4 digits, or the 2-digit number after a day-before-month.
    let dayTok: string;
    let yearTok: string;
    if (a.value.length <= 2 && b.value.length === 4) [dayTok, yearTok] = [a.value, b.value];
    else if (a.value.length === 4 && b.value.length <= 2 && b.index < monthIndex) [dayTok, yearTok] = [b.value, a.value];
    else if (a.value.length <= 2 && b.value.length <= 2 && a.index < monthIndex && b.index > monthIndex) [dayTok, yearTok] = [a.value, b.value];
    else return null;
    year = yearTok.length === 4 ? Number(yearTok) : yearTok.length === 2 ? twoDigitYear(Number(yearTok)) : NaN;
    if (Number.isNaN(year)) return null;
    mon = month;
    day = Number(dayTok);
  }
  let hour = time ? Number(time[1]) : 0;
  if (meridiem) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (meridiem === 'pm' ? 12 : 0);
  }
  const minute = time ? Number(time[2]) : 0;
  const second = time?.[3] ? Number(time[3]) : 0;
  const ms = time?.[4] ? Math.floor(Number(`0.${time[4]}`) * 1000) : 0;
  return makeDate(year, mon, day, hour, minute, second, ms, zone ?? 0);
}

/** Greek, Hungarian and Korean blog-platform dates rewritten to shapes the parsers above read. */
function delocalize(text: string): string {
  // Korean (Nate, OnBlog): local time in KST.
  let m = /^(\d{4})-(\d{2})-(\d{2})\s+(오전|오후)\s+(\d{1,2}):(\d{2}):(\d{2})$/.exec(text);
  if (m) {
    let h = Number(m[5]);
    if (m[4] === '오후' && h < 12) h += 12;
    if (m[4] === '오전' && h === 12) h = 0;
    return `${m[1]}-${m[2]}-${m[3]}T${pad(h)}:${m[6]}:${m[7]}+09:00`;
  }
  m = /^(\d{4})년\s*(\d{1,2})월\s*(\d{1,2})일\s+(\d{1,2}):(\d{2}):(\d{2})$/.exec(text);
  if (m) return `${m[1]}-${pad(m[2]!)}-${pad(m[3]!)}T${pad(m[4]!)}:${m[5]}:${m[6]}+09:00`;
  // Hungarian: "2004-július-13T9:15-05:00".
  m = /^(\d{4})-(\p{L}+)-(\d{1,2})T(\d{1,2}):(\d{2})(.*)$/u.exec(text);
  if (m) {
    const mon = HUNGARIAN_MONTHS[stripDiacritics(m[2]!)];
    if (mon) return `${m[1]}-${pad(mon)}-${pad(m[3]!)}T${pad(m[4]!)}:${m[5]}${m[6]}`;
  }
  // Greek: translate weekday and month abbreviations, keep the rest.
  if (/[\u0370-\u03ff]/.test(text)) {
    return text
      .split(/(\s+|,)/)
      .map((tok) => {
        const key = stripDiacritics(tok).replace(/\.$/, '');
        if (GREEK_WEEKDAYS.has(key)) return '';
        return GREEK_MONTHS[key] ?? tok;
      })
      .join('');
  }
  return text;
}

/**
 * Parses a feed date: RFC 822/2822 with real-world variants (2-digit years, missing seconds or time,
 * long month names, swapped day and month, "GMT-01:01", "Etc/GMT", named zones), W3C-DTF/ISO 8601
 * (partial dates too), asctime, MSSQL, Perforce, and Greek/Hungarian/Korean blog formats.
 * A time without a zone is read as UTC. Returns null for anything it cannot read with certainty.
 */
export function parseFeedDate(raw: string | null | undefined): Date | null {
  if (!raw) return null;
  const text = delocalize(raw.replace(/\s+/g, ' ').trim());
  if (!text || text.length > 100) return null;
  const iso = parseIso(text);
  if (iso !== undefined) return iso;
  return parseRfc822Like(text);
}
