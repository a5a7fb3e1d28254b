/**
 * The facts every trend and filter reads of every matching article, (outlet, language, date, fallback flag), held
 * in memory as columns indexed by seq, so that counting 100k matches is a loop over typed arrays instead of 100k
 * B-tree lookups in `articles` (which cost 2-10x the full-text match itself on 1M articles; decisions §23).
 *
 * Exactness: the columns are a copy of immutable facts. A refresh (one small query per search or trend) loads the
 * rows above the highest seq seen; any delete or change of those columns bumps article_facts_generation in the
 * writer's transaction (migration 70), and a refresh that sees it move reloads everything. Call {@link refresh}
 * inside the read transaction of the query that uses it, so both see one snapshot.
 */
import type { Database } from 'better-sqlite3';

/** Above this seq the columns (sized by the highest seq) would waste memory: callers fall back to plain SQL. */
export const MAX_FACTS_SEQ = 1 << 26;
/** {@link FactsSnapshot.cluster} of an article whose cluster_id is NULL. */
export const NULL_CLUSTER = -1;
/** Rows per load query: bounds the JSON one query returns (~40 MB at 1M rows would also work, but stalls longer). */
const LOAD_CHUNK = 250_000;

/** A consistent view of the facts, valid until the next refresh. */
export interface FactsSnapshot {
  /** 1 where an article with that seq exists. */
  readonly live: Uint8Array;
  /** Outlet code per seq; {@link outletIds} maps codes back to ids. */
  readonly outlet: Uint32Array;
  /** The article date (published, else first seen) as epoch ms. */
  readonly dateMs: Float64Array;
  /** 1 where the date is the first-seen fallback. */
  readonly fallback: Uint8Array;
  /** Language code per seq; {@link languages} maps codes back to language tags ('' included when stored). */
  readonly lang: Uint32Array;
  /**
   * Syndication cluster per seq, as a number equal for exactly the articles sharing a cluster_id: the seq of the
   * article whose id the cluster_id is (almost always), else a negative code for the cluster_id text (its first
   * article deleted), and {@link NULL_CLUSTER} for a NULL cluster_id (SQL's GROUP BY puts all NULLs together).
   */
  readonly cluster: Int32Array;
  readonly outletIds: readonly string[];
  readonly languages: readonly string[];
  /** Code of an outlet id, undefined when no stored article has that outlet. */
  outletCode(id: string): number | undefined;
  /** Code of a language tag, undefined when no stored article has it. */
  langCode(tag: string): number | undefined;
  /** Every live seq, ascending (computed once per snapshot). */
  allSeqs(): Int32Array;
  /** The live seqs of one outlet code, ascending (all outlets' lists computed together, once per snapshot). */
  seqsOfOutlet(code: number): Int32Array;
  /** Whether the article's cluster has no other live member (computed for all clusters, once per snapshot). */
  isAlone(seq: number): boolean;
  /** Stored articles. */
  readonly count: number;
}

export interface ArticleFacts {
  /** Brings the columns up to the database's current state; null when the archive is beyond {@link MAX_FACTS_SEQ}. */
  refresh(): FactsSnapshot | null;
}

interface LoadedRows {
  seqs: string;
  outlets: string;
  langs: string;
  /** Seq of the article whose id is the cluster_id, or null. */
  roots: string;
  /** The cluster_id text where no article has it as id (else null). */
  orphanClusters: string;
  dates: string;
  fallbacks: string;
}

export function createArticleFacts(db: Database): ArticleFacts {
  const readState = db.prepare<[], { generation: number; minSeq: number | null; maxSeq: number | null }>(
    `SELECT (SELECT generation FROM article_facts_generation WHERE id = 1) AS generation,
            (SELECT min(seq) FROM articles) AS minSeq, (SELECT max(seq) FROM articles) AS maxSeq`,
  );
  // json_group_array: one string per column is parsed far faster than one JS row object per article (1M rows:
  // ~1 s as rows, a fraction of that as JSON).
  const loadRange = db.prepare<[number, number], LoadedRows>(
    `SELECT json_group_array(seq) AS seqs, json_group_array(outlet_id) AS outlets, json_group_array(language) AS langs,
            json_group_array(date_ms) AS dates, json_group_array(date_is_fallback) AS fallbacks,
            json_group_array(root) AS roots, json_group_array(CASE WHEN root IS NULL THEN cluster_id END) AS orphanClusters
     FROM (SELECT a.seq, a.outlet_id, a.language, a.date_ms, a.date_is_fallback, a.cluster_id,
             CASE WHEN a.cluster_id = a.id THEN a.seq
                  ELSE (SELECT o.seq FROM articles AS o WHERE o.id = a.cluster_id) END AS root
           FROM articles AS a WHERE a.seq > ? AND a.seq <= ? ORDER BY a.seq)`,
  );

  let generation = -1;
  let loadedMax = 0;
  let live = new Uint8Array(0);
  let outlet = new Uint32Array(0);
  let dateMs = new Float64Array(0);
  let fallback = new Uint8Array(0);
  let lang = new Uint32Array(0);
  let cluster = new Int32Array(0);
  let orphanCodes = createCodeBook();
  let outletCodes = createCodeBook();
  let langCodes = createCodeBook();
  let count = 0;
  let all: Int32Array | null = null;
  let byOutlet: Int32Array[] | null = null;
  let alone: Uint8Array | null = null;

  function reset(): void {
    loadedMax = 0;
    live = new Uint8Array(0);
    outlet = new Uint32Array(0);
    dateMs = new Float64Array(0);
    fallback = new Uint8Array(0);
    lang = new Uint32Array(0);
    cluster = new Int32Array(0);
    orphanCodes = createCodeBook();
    outletCodes = createCodeBook();
    langCodes = createCodeBook();
    count = 0;
  }

  function ensureCapacity(maxSeq: number): void {
    if (maxSeq < live.length) return;
    let size = Math.max(1024, live.length);
    while (size <= maxSeq) size *= 2;
    const grow = <T extends Uint8Array | Uint32Array | Int32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old as never);
      return next;
    };
    live = grow(live, (n) => new Uint8Array(n));
    outlet = grow(outlet, (n) => new Uint32Array(n));
    dateMs = grow(dateMs, (n) => new Float64Array(n));
    fallback = grow(fallback, (n) => new Uint8Array(n));
    lang = grow(lang, (n) => new Uint32Array(n));
    cluster = grow(cluster, (n) => new Int32Array(n));
  }

  function load(from: number, to: number): void {
    for (let lo = from; lo < to; lo += LOAD_CHUNK) {
      const row = loadRange.get(lo, Math.min(to, lo + LOAD_CHUNK));
      if (!row) continue;
      const seqs = JSON.parse(row.seqs) as number[];
      const outlets = JSON.parse(row.outlets) as string[];
      const langs = JSON.parse(row.langs) as string[];
      const roots = JSON.parse(row.roots) as (number | null)[];
      const orphans = JSON.parse(row.orphanClusters) as (string | null)[];
      const dates = JSON.parse(row.dates) as number[];
      const fallbacks = JSON.parse(row.fallbacks) as number[];
      for (let i = 0; i < seqs.length; i++) {
        const seq = seqs[i]!;
        if (live[seq] === 0) count++;
        live[seq] = 1;
        outlet[seq] = outletCodes.intern(outlets[i]!);
        lang[seq] = langCodes.intern(langs[i]!);
        const root = roots[i];
        const orphan = orphans[i];
        cluster[seq] = root !== null && root !== undefined ? root : orphan === null || orphan === undefined ? NULL_CLUSTER : -2 - orphanCodes.intern(orphan);
        dateMs[seq] = dates[i]!;
        fallback[seq] = fallbacks[i]!;
      }
    }
  }

  return {
    refresh() {
      const state = readState.get();
      const maxSeq = state?.maxSeq ?? 0;
      // Seqs are SQLite-assigned rowids (1, 2, ...); anything else is not an archive these columns can index.
      if (maxSeq > MAX_FACTS_SEQ || (state?.minSeq ?? 0) < 0) return null;
      if (state && state.generation !== generation) {
        reset();
        generation = state.generation;
        all = null;
        byOutlet = null;
        alone = null;
      }
      if (maxSeq > loadedMax) {
        ensureCapacity(maxSeq);
        load(loadedMax, maxSeq);
        loadedMax = maxSeq;
        all = null;
        byOutlet = null;
        alone = null;
      }
      const snapshot: FactsSnapshot = {
        live,
        outlet,
        dateMs,
        fallback,
        lang,
        cluster,
        outletIds: outletCodes.values,
        languages: langCodes.values,
        count,
        outletCode: (id) => outletCodes.codeOf(id),
        langCode: (tag) => langCodes.codeOf(tag),
        allSeqs() {
          if (all === null) {
            const out = new Int32Array(count);
            let k = 0;
            for (let seq = 0; seq <= loadedMax; seq++) if (live[seq] === 1) out[k++] = seq;
            all = out.subarray(0, k);
          }
          return all;
        },
        seqsOfOutlet(code) {
          if (byOutlet === null) {
            const sizes = new Int32Array(outletCodes.values.length);
            const seqs = snapshot.allSeqs();
            for (let i = 0; i < seqs.length; i++) sizes[outlet[seqs[i]!]!]! += 1;
            const lists = Array.from(sizes, (n) => new Int32Array(n));
            const filled = new Int32Array(outletCodes.values.length);
            for (let i = 0; i < seqs.length; i++) {
              const code = outlet[seqs[i]!]!;
              lists[code]![filled[code]!++] = seqs[i]!;
            }
            byOutlet = lists;
          }
          return byOutlet[code] ?? new Int32Array(0);
        },
        isAlone(seq) {
          if (alone === null) {
            // Members per cluster: root seqs index an array, the rare negative codes a map.
            const members = new Int32Array(live.length);
            const negative = new Map<number, number>();
            const seqs = snapshot.allSeqs();
            for (let i = 0; i < seqs.length; i++) {
              const c = cluster[seqs[i]!]!;
              if (c >= 0 && c < members.length) members[c]! += 1;
              else negative.set(c, (negative.get(c) ?? 0) + 1);
            }
            const flags = new Uint8Array(live.length);
            for (let i = 0; i < seqs.length; i++) {
              const c = cluster[seqs[i]!]!;
              flags[seqs[i]!] = (c >= 0 && c < members.length ? members[c]! : negative.get(c)!) === 1 ? 1 : 0;
            }
            alone = flags;
          }
          return alone[seq] === 1;
        },
      };
      return snapshot;
    },
  };
}

/** Small integer codes for the few distinct values of a column (outlets, languages), in order of first sight. */
interface CodeBook {
  readonly values: string[];
  intern(value: string): number;
  codeOf(value: string): number | undefined;
}

function createCodeBook(): CodeBook {
  const values: string[] = [];
  const codes = new Map<string, number>();
  return {
    values,
    intern(value) {
      let code = codes.get(value);
      if (code === undefined) {
        code = values.length;
        values.push(value);
        codes.set(value, code);
      }
      return code;
    },
    codeOf: (value) => codes.get(value),
  };
}
