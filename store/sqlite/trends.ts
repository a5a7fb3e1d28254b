/**
 * Trend and co-occurrence counting of the SQLite store. SQL groups the matching rows by UTC day (UTC day, week and
 * month buckets) or by UTC hour; TypeScript then maps each slot onto the local bucket holding it
 * (core/time-buckets.ts), which is exact whenever a slot lies inside one bucket. Zones whose bucket edges fall
 * inside an hour (+05:30, +05:45, Lord Howe's 30-minute DST) are re-grouped by quarter hour, and the rare slot
 * still cut by an edge (local mean time before ~1900, with offsets in seconds) is bucketed row by row.
 */
import type { Database } from 'better-sqlite3';
import { ValidationError } from '../../core/errors.ts';
import { createZoneBuckets, type ZoneBuckets } from '../../core/time-buckets.ts';
import type { TrendPoint } from '../../core/types.ts';
import type { FactsSnapshot } from './article-facts.ts';
import { intersect } from './match-set.ts';
import type {
  CoOccurrenceCell,
  CoOccurrenceOptions,
  CoOccurrenceResult,
  CountOverTimeOptions,
  TrendGroupResult,
  TrendSeriesResult,
} from '../article-store.ts';

/** A WHERE clause over `articles` with its bound parameters (buildWhere in sqlite-article-store.ts). */
export interface SqlWhere {
  sql: string;
  params: (string | number)[];
}

type Param = string | number;

/** A row source: `sql` selects (g, date_ms, day, f) — group key, article date, UTC day, fallback flag. */
interface Source {
  /** Common table expressions (without WITH) the source refers to, with their parameters. */
  ctes: string[];
  cteParams: Param[];
  sql: string;
  params: Param[];
}

interface Counts {
  n: number;
  f: number;
}

/** Group key -> bucket start (epoch ms) -> counts. */
type Grouped = Map<string | null, Map<number, Counts>>;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const QUARTER_MS = 900_000;
/** Most actors or themes a matrix may have: 50 x 50 cells is already more than a heatmap can show. */
export const MAX_MATRIX_SIDE = 50;

/** floor(date_ms / grain) in SQL; `/` truncates towards zero, which is wrong before 1970. */
const slotExpr = (grain: number): string => `((date_ms - (((date_ms % ${grain}) + ${grain}) % ${grain})) / ${grain})`;

function withClause(ctes: readonly string[]): string {
  return ctes.length > 0 ? `WITH ${ctes.join(', ')} ` : '';
}

function addCounts(out: Grouped, g: string | null, bucket: number, n: number, f: number): void {
  let byBucket = out.get(g);
  if (!byBucket) {
    byBucket = new Map();
    out.set(g, byBucket);
  }
  const c = byBucket.get(bucket);
  if (c) {
    c.n += n;
    c.f += f;
  } else byBucket.set(bucket, { n, f });
}

/** Counts of `src` per group and local bucket of `zb`. */
function aggregate(db: Database, src: Source, zb: ZoneBuckets): Grouped {
  const run = (sql: string, extra: Param[] = []) =>
    db.prepare<Param[], { g: string | null; slot: number; n: number; f: number }>(sql).all(...src.cteParams, ...extra, ...src.params);
  const out: Grouped = new Map();
  if (zb.isUtc && zb.interval !== 'hour') {
    // The UTC day column: every UTC day, Monday week and month is a whole number of days.
    const rows = run(`${withClause(src.ctes)}SELECT g, day AS slot, count(*) AS n, sum(f) AS f FROM (${src.sql}) GROUP BY g, slot`);
    const starts = new Map<number, number>();
    for (const r of rows) {
      let b = starts.get(r.slot);
      if (b === undefined) {
        b = zb.start(r.slot * DAY_MS);
        starts.set(r.slot, b);
      }
      addCounts(out, r.g, b, r.n, r.f);
    }
    return out;
  }
  for (const grain of [HOUR_MS, QUARTER_MS]) {
    const rows = run(`${withClause(src.ctes)}SELECT g, ${slotExpr(grain)} AS slot, count(*) AS n, sum(f) AS f FROM (${src.sql}) GROUP BY g, slot`);
    const bucketOfSlot = new Map<number, number | null>();
    const cut = new Set<number>();
    const found: Grouped = new Map();
    for (const r of rows) {
      let b = bucketOfSlot.get(r.slot);
      if (b === undefined) {
        const first = zb.start(r.slot * grain);
        b = first === zb.start(r.slot * grain + grain - 1) ? first : null;
        bucketOfSlot.set(r.slot, b);
      }
      if (b === null) cut.add(r.slot);
      else addCounts(found, r.g, b, r.n, r.f);
    }
    if (cut.size === 0) return found;
    if (grain === QUARTER_MS) {
      const raw = db
        .prepare<Param[], { g: string | null; date_ms: number; f: number }>(
          `${withClause(src.ctes)}SELECT g, date_ms, f FROM (${src.sql}) WHERE ${slotExpr(grain)} IN (SELECT value FROM json_each(?))`,
        )
        .all(...src.cteParams, ...src.params, JSON.stringify([...cut]));
      for (const r of raw) addCounts(found, r.g, zb.start(r.date_ms), 1, r.f);
      return found;
    }
  }
  return out;
}

function toPoints(zb: ZoneBuckets, byBucket: Map<number, Counts> | undefined): { points: TrendPoint[]; total: number; fallbackDateCount: number } {
  const entries = [...(byBucket ?? new Map<number, Counts>()).entries()].sort(([a], [b]) => a - b);
  let total = 0;
  let fallbackDateCount = 0;
  const points = entries.map(([b, c]) => {
    total += c.n;
    fallbackDateCount += c.f;
    return { t: zb.label(b), count: c.n };
  });
  return { points, total, fallbackDateCount };
}

/** The rows a trend counts, one per article (copies) or per syndication cluster (stories), with the group key. */
function trendSource(where: SqlWhere, options: CountOverTimeOptions, breakdown: CountOverTimeOptions['breakdown']): Source {
  const ctes: string[] = [];
  const cteParams: Param[] = [];
  let join = '';
  let g = "''";
  if (breakdown === 'outlet') g = 'articles.outlet_id';
  if (breakdown === 'tag') {
    const pairs = Object.entries(options.outletTags ?? {}).flatMap(([outlet, tags]) => [...new Set(tags)].map((t) => [outlet, t]));
    ctes.push(`outlet_tag (outlet_id, tag) AS (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))`);
    cteParams.push(JSON.stringify(pairs));
    // One row per tag of the article's outlet (counted once per tag); none for an untagged outlet: tag NULL.
    join = 'LEFT JOIN outlet_tag ON outlet_tag.outlet_id = articles.outlet_id';
    g = 'outlet_tag.tag';
  }
  // stories: one row per cluster (and group), the earliest matching copy: SQLite takes the bare columns of a
  // min() aggregate from the row holding the minimum.
  const sql =
    options.count === 'stories'
      ? `SELECT ${g} AS g, min(articles.date_ms) AS date_ms, articles.day AS day, articles.date_is_fallback AS f
         FROM articles ${join} WHERE ${where.sql} GROUP BY ${g}, articles.cluster_id`
      : `SELECT ${g} AS g, articles.date_ms AS date_ms, articles.day AS day, articles.date_is_fallback AS f
         FROM articles ${join} WHERE ${where.sql}`;
  return { ctes, cteParams, sql, params: [...where.params] };
}

/** Counts per group and bucket for one breakdown (undefined: the whole series, group ''). */
type AggregateBy = (breakdown: CountOverTimeOptions['breakdown']) => Grouped;

/** The series, and its groups when broken down, from counts per group and bucket. */
function assembleTrend(zb: ZoneBuckets, options: CountOverTimeOptions, aggregateBy: AggregateBy): TrendSeriesResult {
  const whole = (): TrendSeriesResult => toPoints(zb, aggregateBy(undefined).get(''));
  if (options.breakdown === undefined) return whole();

  const grouped = aggregateBy(options.breakdown);
  const groups: TrendGroupResult[] = [...grouped.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0))
    .map(([key, byBucket]) => ({ key, ...toPoints(zb, byBucket) }));
  // Outlet copies partition the articles, so the whole is their sum; tags overlap and stories can span outlets.
  if (options.breakdown === 'outlet' && options.count !== 'stories') {
    const sum: Grouped = new Map();
    for (const byBucket of grouped.values()) for (const [b, c] of byBucket) addCounts(sum, '', b, c.n, c.f);
    return { ...toPoints(zb, sum.get('')), groups };
  }
  return { ...whole(), groups };
}

/** countOverTime of the SQLite store over an already-built WHERE clause. */
export function sqliteCountOverTime(db: Database, where: SqlWhere, options: CountOverTimeOptions): TrendSeriesResult {
  const zb = createZoneBuckets(options.interval, options.timeZone);
  return assembleTrend(zb, options, (breakdown) => aggregate(db, trendSource(where, options, breakdown), zb));
}

/**
 * countOverTime over a match set held as seqs, reading outlet, date, fallback flag and cluster from the in-memory
 * facts: the same slots, buckets, groups and story rule as {@link sqliteCountOverTime}, without a row lookup per
 * match.
 */
export function factsCountOverTime(facts: FactsSnapshot, seqs: Int32Array, options: CountOverTimeOptions): TrendSeriesResult {
  const zb = createZoneBuckets(options.interval, options.timeZone);
  return assembleTrend(zb, options, (breakdown) => {
    const groups = factGroups(facts, options, breakdown);
    const rows = options.count === 'stories' ? storyRows(facts, seqs, groups) : copyRows(facts, seqs, groups);
    return aggregateFacts(facts, rows, zb, groups.keys);
  });
}

/** The rows a facts trend counts: seqs, each counted once in each of its groups. */
interface FactRows {
  seqs: Int32Array;
  groupsAt(i: number): readonly number[];
}

function copyRows(facts: FactsSnapshot, seqs: Int32Array, groups: FactGroups): FactRows {
  const outlet = facts.outlet;
  return { seqs, groupsAt: (i) => groups.ofOutlet(outlet[seqs[i]!]!) };
}

/**
 * One row per (group, syndication cluster): its earliest matching copy, as trendSource's GROUP BY takes the row of
 * min(date_ms) (on equal dates, here the lowest seq).
 */
function storyRows(facts: FactsSnapshot, seqs: Int32Array, groups: FactGroups): FactRows {
  const { outlet, cluster, dateMs } = facts;
  // (group, cluster) as one exact number: cluster codes are seqs (< 2^26) or small negatives, groups < 2^25.
  const CLUSTERS = 2 ** 28;
  const earliest = new Map<number, number>();
  // An article alone in its cluster is its cluster's earliest copy in each of its groups: no lookup needed.
  const aloneSeqs: number[] = [];
  for (let i = 0; i < seqs.length; i++) {
    const seq = seqs[i]!;
    if (facts.isAlone(seq)) {
      aloneSeqs.push(i);
      continue;
    }
    const c = cluster[seq]!;
    const clusterKey = c >= 0 ? c : 2 ** 26 - c;
    for (const g of groups.ofOutlet(outlet[seq]!)) {
      const key = g * CLUSTERS + clusterKey;
      const best = earliest.get(key);
      if (best === undefined || dateMs[seq]! < dateMs[best]!) earliest.set(key, seq);
    }
  }
  // Rows: the alone articles with all their groups, then one per (group, cluster) of the others.
  const repSeqs = new Int32Array(aloneSeqs.length + earliest.size);
  const repGroups = new Int32Array(earliest.size);
  let k = 0;
  for (const i of aloneSeqs) repSeqs[k++] = seqs[i]!;
  for (const [key, seq] of earliest) {
    repGroups[k - aloneSeqs.length] = Math.floor(key / CLUSTERS);
    repSeqs[k++] = seq;
  }
  const single = groups.keys.map((_, g) => [g]);
  const aloneCount = aloneSeqs.length;
  return {
    seqs: repSeqs,
    groupsAt: (i) => (i < aloneCount ? groups.ofOutlet(outlet[repSeqs[i]!]!) : single[repGroups[i - aloneCount]!]!),
  };
}

/** Group keys, and the groups each outlet code's articles count in. */
interface FactGroups {
  keys: (string | null)[];
  /** Outlet code -> group indices. */
  ofOutlet: (code: number) => readonly number[];
}

function factGroups(facts: FactsSnapshot, options: CountOverTimeOptions, breakdown: CountOverTimeOptions['breakdown']): FactGroups {
  if (breakdown === undefined) {
    const only = [0] as const;
    return { keys: [''], ofOutlet: () => only };
  }
  if (breakdown === 'outlet') {
    const single = facts.outletIds.map((_, code) => [code]);
    return { keys: [...facts.outletIds], ofOutlet: (code) => single[code]! };
  }
  // Tags: one count per distinct tag of the article's outlet; an untagged outlet counts in the null group.
  const keys: (string | null)[] = [];
  const index = new Map<string | null, number>();
  const indexOf = (key: string | null): number => {
    let i = index.get(key);
    if (i === undefined) {
      i = keys.length;
      keys.push(key);
      index.set(key, i);
    }
    return i;
  };
  const perOutlet = facts.outletIds.map((id) => {
    const tags = [...new Set(options.outletTags?.[id] ?? [])];
    return tags.length === 0 ? [indexOf(null)] : tags.map(indexOf);
  });
  return { keys, ofOutlet: (code) => perOutlet[code]! };
}

/** Dense slot arrays up to this many (slot, group) cells; a Map beyond (e.g. quarter hours over decades). */
const DENSE_CELLS = 1 << 22;

/** {@link aggregate} over the facts: the same grains and the same treatment of slots cut by a bucket edge. */
function aggregateFacts(facts: FactsSnapshot, rows: FactRows, zb: ZoneBuckets, keys: readonly (string | null)[]): Grouped {
  const dates = facts.dateMs;
  const fallback = facts.fallback;
  const seqs = rows.seqs;
  const width = Math.max(1, keys.length);
  const grains = zb.isUtc && zb.interval !== 'hour' ? [DAY_MS] : [HOUR_MS, QUARTER_MS];
  for (const grain of grains) {
    let minSlot = Infinity;
    let maxSlot = -Infinity;
    for (let i = 0; i < seqs.length; i++) {
      const slot = Math.floor(dates[seqs[i]!]! / grain);
      if (slot < minSlot) minSlot = slot;
      if (slot > maxSlot) maxSlot = slot;
    }
    // (slot, group) cells -> counts: typed arrays when the range is small, as it is for any chart a person reads.
    const cells = seqs.length === 0 ? 0 : (maxSlot - minSlot + 1) * width;
    const dense = cells <= DENSE_CELLS;
    const n = dense ? new Int32Array(cells) : null;
    const f = dense ? new Int32Array(cells) : null;
    const sparse = dense ? null : new Map<number, Counts>();
    for (let i = 0; i < seqs.length; i++) {
      const seq = seqs[i]!;
      const cellBase = (Math.floor(dates[seq]! / grain) - minSlot) * width;
      const fb = fallback[seq]!;
      for (const g of rows.groupsAt(i)) {
        const cell = cellBase + g;
        if (n !== null && f !== null) {
          n[cell]! += 1;
          f[cell]! += fb;
        } else {
          const c = sparse!.get(cell);
          if (c) {
            c.n += 1;
            c.f += fb;
          } else sparse!.set(cell, { n: 1, f: fb });
        }
      }
    }
    const found: Grouped = new Map();
    const cut = new Set<number>();
    const bucketOfSlot = new Map<number, number | null>();
    const place = (cell: number, count: number, fallbackCount: number): void => {
      const slot = minSlot + Math.floor(cell / width);
      const g = cell % width;
      let b = bucketOfSlot.get(slot);
      if (b === undefined) {
        const first = zb.start(slot * grain);
        // A UTC day is never cut by a UTC day, week or month edge (the SQL path relies on the same).
        b = grain === DAY_MS || first === zb.start(slot * grain + grain - 1) ? first : null;
        bucketOfSlot.set(slot, b);
      }
      if (b === null) cut.add(slot);
      else addCounts(found, keys[g] ?? null, b, count, fallbackCount);
    };
    if (n !== null && f !== null) {
      for (let cell = 0; cell < n.length; cell++) if (n[cell]! > 0) place(cell, n[cell]!, f[cell]!);
    } else {
      for (const [cell, c] of sparse!) place(cell, c.n, c.f);
    }
    if (cut.size === 0) return found;
    if (grain === QUARTER_MS) {
      for (let i = 0; i < seqs.length; i++) {
        const seq = seqs[i]!;
        if (!cut.has(Math.floor(dates[seq]! / grain))) continue;
        const b = zb.start(dates[seq]!);
        for (const g of rows.groupsAt(i)) addCounts(found, keys[g] ?? null, b, 1, fallback[seq]!);
      }
      return found;
    }
  }
  return new Map();
}

function requireIds(ids: readonly string[], name: string): string[] {
  const unique = [...new Set(ids)];
  if (unique.length === 0 || unique.length > MAX_MATRIX_SIDE || unique.some((id) => id === '')) {
    throw new ValidationError('invalid_request', `article-store: ${name} must list 1..${MAX_MATRIX_SIDE} ids`);
  }
  return unique;
}

/** Articles per (actor, theme) pair key (JSON [actor, theme]), overall and, with an interval, per local bucket. */
interface PairCounts {
  overall: Map<string, number>;
  byBucket: Grouped | null;
}

/** The matrix and its buckets from pair counts: every pair (zeros included), actors then themes in the order given. */
function coOccurrenceResult(zb: ZoneBuckets | null, actors: string[], themes: string[], counts: PairCounts): CoOccurrenceResult {
  const buckets: CoOccurrenceResult['buckets'] = [];
  if (zb !== null && counts.byBucket !== null) {
    const byBucket = new Map<number, CoOccurrenceCell[]>();
    for (const [g, perBucket] of counts.byBucket) {
      const [actor, theme] = JSON.parse(g ?? '[]') as [string, string];
      for (const [b, c] of perBucket) {
        const cells = byBucket.get(b) ?? [];
        cells.push({ actor, theme, count: c.n });
        byBucket.set(b, cells);
      }
    }
    const order = (c: CoOccurrenceCell): number => actors.indexOf(c.actor) * MAX_MATRIX_SIDE + themes.indexOf(c.theme);
    for (const [b, cells] of [...byBucket.entries()].sort(([x], [y]) => x - y)) {
      buckets.push({ t: zb.label(b), cells: cells.sort((x, y) => order(x) - order(y)) });
    }
  }
  const cells = actors.flatMap((actor) => themes.map((theme) => ({ actor, theme, count: counts.overall.get(JSON.stringify([actor, theme])) ?? 0 })));
  return { cells, buckets };
}

/** coOccurrence of the SQLite store over an already-built WHERE clause. */
export function sqliteCoOccurrence(db: Database, where: SqlWhere, options: CoOccurrenceOptions): CoOccurrenceResult {
  const actors = requireIds(options.actors, 'actors');
  const themes = requireIds(options.themes, 'themes');
  // The (field, value, article_seq) key of article_tags serves both tag lookups.
  const src: Source = {
    ctes: [],
    cteParams: [],
    sql: `SELECT json_array(ta.value, tt.value) AS g, articles.date_ms AS date_ms, articles.day AS day, articles.date_is_fallback AS f
          FROM article_tags AS ta
          JOIN article_tags AS tt ON tt.article_seq = ta.article_seq AND tt.field = 'theme'
            AND tt.value IN (SELECT value FROM json_each(?))
          JOIN articles ON articles.seq = ta.article_seq
          WHERE ta.field = 'actor' AND ta.value IN (SELECT value FROM json_each(?)) AND ${where.sql}`,
    params: [JSON.stringify(themes), JSON.stringify(actors), ...where.params],
  };
  const overall = new Map<string, number>();
  if (options.interval === undefined) {
    const rows = db
      .prepare<Param[], { g: string; n: number }>(`SELECT g, count(*) AS n FROM (${src.sql}) GROUP BY g`)
      .all(...src.params);
    for (const r of rows) overall.set(JSON.stringify(JSON.parse(r.g)), r.n);
    return coOccurrenceResult(null, actors, themes, { overall, byBucket: null });
  }
  const zb = createZoneBuckets(options.interval, options.timeZone);
  const byBucket = new Map<string | null, Map<number, Counts>>();
  for (const [g, counts] of aggregate(db, src, zb)) {
    const key = JSON.stringify(JSON.parse(g ?? '[]'));
    byBucket.set(key, counts);
    for (const c of counts.values()) overall.set(key, (overall.get(key) ?? 0) + c.n);
  }
  return coOccurrenceResult(zb, actors, themes, { overall, byBucket });
}

/**
 * coOccurrence over a match set held as seqs: each actor's and theme's articles read once as seq lists (the tag
 * key), each pair's articles by sorted-list intersection, dates and buckets from the in-memory facts.
 */
export function factsCoOccurrence(
  facts: FactsSnapshot,
  seqs: Int32Array,
  tagSeqs: (field: 'actor' | 'theme', value: string) => Int32Array,
  options: CoOccurrenceOptions,
): CoOccurrenceResult {
  const actors = requireIds(options.actors, 'actors');
  const themes = requireIds(options.themes, 'themes');
  const zb = options.interval === undefined ? null : createZoneBuckets(options.interval, options.timeZone);
  const themeLists = themes.map((t) => tagSeqs('theme', t));
  const keys: string[] = [];
  const pairSeqs: Int32Array[] = [];
  const overall = new Map<string, number>();
  for (const actor of actors) {
    const matched = shorterFirst(seqs, tagSeqs('actor', actor));
    themes.forEach((theme, k) => {
      const both = shorterFirst(matched, themeLists[k]!);
      if (both.length === 0) return;
      const key = JSON.stringify([actor, theme]);
      overall.set(key, both.length);
      keys.push(key);
      pairSeqs.push(both);
    });
  }
  if (zb === null) return coOccurrenceResult(null, actors, themes, { overall, byBucket: null });
  // One row per (pair, article): the pair's index is its group.
  const total = pairSeqs.reduce((n, p) => n + p.length, 0);
  const rowSeqs = new Int32Array(total);
  const rowPair = new Int32Array(total);
  let k = 0;
  pairSeqs.forEach((list, pair) => {
    rowSeqs.set(list, k);
    rowPair.fill(pair, k, k + list.length);
    k += list.length;
  });
  const single = keys.map((_, g) => [g]);
  const byBucket = aggregateFacts(facts, { seqs: rowSeqs, groupsAt: (i) => single[rowPair[i]!]! }, zb, keys);
  return coOccurrenceResult(zb, actors, themes, { overall, byBucket });
}

function shorterFirst(a: Int32Array, b: Int32Array): Int32Array {
  return a.length <= b.length ? intersect(a, b) : intersect(b, a);
}
