/**
 * Syndication clusters: the MinHash/LSH parameters, the same-story rule both stores apply to candidate pairs, and
 * the SQLite side (signatures, band keys, cluster assignment inside the insert transaction, cluster reads).
 */
import type { Database } from 'better-sqlite3';
import { ValidationError } from '../../core/errors.ts';
import type { ArticleCluster, ClusterMember, ClusterSummary, SyndicationFingerprint } from '../article-store.ts';

/** Hash functions per signature. 128 gives an estimated Jaccard within ±0.09 (2 sigma) at J = 0.5. */
export const MINHASH_PERMUTATIONS = 128;
/**
 * LSH bands x rows = 32 x 4. A pair becomes a candidate with probability 1 - (1 - J^4)^32: 0.87 at J = 0.5,
 * 0.99 at J = 0.6, 1.0 at J >= 0.7, but only 0.23 at J = 0.3 and 0.003 at J = 0.1, which keeps the number of
 * pairs to verify small. Fewer rows per band would find more borderline pairs at the cost of many more candidates.
 */
export const MINHASH_BANDS = 32;
export const MINHASH_ROWS = 4;
/**
 * Estimated Jaccard similarity of the shingle sets above which two bodies are the same story. Verbatim and
 * lightly edited copies score 0.8-1.0 and a copy cut to its first 60 % scores 0.6. On ReCOVery, of the ~1,590 LSH
 * candidate pairs, every pair below 0.5 was two different articles (the highest: two Press TV reports on Yemen's
 * outbreak at 0.37), and every cross-outlet pair above it a republication (tests/worker/syndication-eval.test.ts).
 */
export const SAME_STORY_JACCARD = 0.5;
/**
 * A truncated copy (a feed's first paragraphs of a story another outlet printed in full) has a low Jaccard but is
 * almost wholly contained in the longer body. Above this estimated containment of the smaller set in the larger,
 * with at least CONTAINMENT_MIN_JACCARD, the pair is also the same story.
 */
export const SAME_STORY_CONTAINMENT = 0.85;
export const CONTAINMENT_MIN_JACCARD = 0.3;
/**
 * Within one outlet the bar is higher and containment does not count: long shared footers and sidebars made two
 * different Natural News articles 68 % similar on ReCOVery, and a follow-up ("UPDATE: …", "SECOND VIDEO: …") repeats
 * most of the first report. Syndication is about copies across outlets; an outlet re-sending its own story is
 * caught by the per-outlet title dedupe.
 */
export const SAME_OUTLET_JACCARD = 0.8;

/** What the same-story rule needs of one side. */
export interface SignatureSide {
  signature: Uint32Array;
  shingleCount: number;
  outletId: string;
}

/** Fraction of equal MinHash slots: an unbiased estimate of the Jaccard similarity of the two shingle sets. */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  const n = Math.min(a.length, b.length);
  if (n === 0) return 0;
  let same = 0;
  for (let i = 0; i < n; i++) if (a[i] === b[i]) same++;
  return same / n;
}

/**
 * Estimated containment of the smaller shingle set in the larger one, from J and the set sizes:
 * |A ∩ B| = J (|A| + |B|) / (1 + J).
 */
export function estimateContainment(j: number, sizeA: number, sizeB: number): number {
  const smaller = Math.min(sizeA, sizeB);
  if (smaller === 0) return 0;
  return Math.min(1, (j * (sizeA + sizeB)) / (1 + j) / smaller);
}

/** The similarity of a verified pair, or null when the pair is not the same story. */
export function sameStoryScore(a: SignatureSide, b: SignatureSide): number | null {
  const j = estimateJaccard(a.signature, b.signature);
  if (a.outletId === b.outletId) return j >= SAME_OUTLET_JACCARD ? j : null;
  if (j >= SAME_STORY_JACCARD) return j;
  if (j >= CONTAINMENT_MIN_JACCARD && estimateContainment(j, a.shingleCount, b.shingleCount) >= SAME_STORY_CONTAINMENT) return j;
  return null;
}

/** A stored article that shares at least one band key with the new one. */
export interface ClusterCandidate extends SignatureSide {
  clusterId: string;
  /** For a deterministic tie-break. */
  articleId: string;
}

/**
 * The cluster a new fingerprint joins: the cluster of the most similar verified candidate (ties: the smaller
 * article id), or null when no candidate is the same story. Clusters are never merged: an article similar to two
 * clusters joins one, so cluster ids stay stable.
 */
export function chooseCluster(fingerprint: SignatureSide, candidates: readonly ClusterCandidate[]): string | null {
  let best: { score: number; candidate: ClusterCandidate } | null = null;
  for (const candidate of candidates) {
    const score = sameStoryScore(fingerprint, candidate);
    if (score === null) continue;
    if (best === null || score > best.score || (score === best.score && candidate.articleId < best.candidate.articleId)) {
      best = { score, candidate };
    }
  }
  return best?.candidate.clusterId ?? null;
}

/** Signature as a little-endian BLOB (what article_minhash stores). */
export function signatureToBuffer(signature: Uint32Array): Buffer {
  const buf = Buffer.alloc(signature.length * 4);
  for (let i = 0; i < signature.length; i++) buf.writeUInt32LE(signature[i] ?? 0, i * 4);
  return buf;
}

/** Inverse of {@link signatureToBuffer}. */
export function bufferToSignature(buf: Uint8Array): Uint32Array {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const sig = new Uint32Array(Math.floor(b.length / 4));
  for (let i = 0; i < sig.length; i++) sig[i] = b.readUInt32LE(i * 4);
  return sig;
}

/** Hours from `fromIso` to `toIso`, to two decimals (36 s), so minute-scale delays survive the rounding. */
export function delayHours(fromIso: string, toIso: string): number {
  return Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 36_000) / 100;
}

/** Default and maximum members returned by getCluster. */
export const CLUSTER_MEMBERS_DEFAULT = 200;
export const CLUSTER_MEMBERS_MAX = 1000;

/** Validates a getCluster limit. */
export function clusterLimit(limit: number | undefined): number {
  const n = limit ?? CLUSTER_MEMBERS_DEFAULT;
  if (!Number.isInteger(n) || n < 1 || n > CLUSTER_MEMBERS_MAX) {
    throw new ValidationError('invalid_limit', `article-store: limit must be an integer in 1..${CLUSTER_MEMBERS_MAX}`);
  }
  return n;
}

/** Members (already in origin order) with their delay after the first. */
export function withDelays(rows: readonly Omit<ClusterMember, 'delayHours'>[]): ClusterMember[] {
  const origin = rows[0];
  return rows.map((r) => ({ ...r, delayHours: origin ? delayHours(origin.date, r.date) : 0 }));
}

interface MemberRow {
  id: string;
  title: string;
  url: string;
  outlet_id: string;
  date: string;
  date_is_fallback: number;
  first_seen_at: string;
}

/** The SQLite cluster statements, prepared once per store. */
export interface SqliteClusters {
  /**
   * The existing cluster a new article's fingerprint joins, or null (then the article starts its own cluster).
   * Run inside the insert transaction, before the article row is written.
   */
  findCluster(fingerprint: SyndicationFingerprint, outletId: string): string | null;
  /** Records a stored article's fingerprint so later articles can match it (same transaction as the insert). */
  recordFingerprint(seq: number, fingerprint: SyndicationFingerprint): void;
  getCluster(clusterId: string, limit?: number): ArticleCluster | null;
  getArticleCluster(articleId: string): ClusterSummary | null;
}

/** Prepares the cluster statements on a migrated connection. */
export function createSqliteClusters(db: Database): SqliteClusters {
  // DISTINCT: a near-identical article shares many bands, and is verified once.
  const selectCandidates = db.prepare<[string], { cluster_id: string; id: string; outlet_id: string; shingles: number; signature: Buffer }>(`
    SELECT a.cluster_id, a.id, a.outlet_id, m.shingles, m.signature
    FROM article_minhash AS m JOIN articles AS a ON a.seq = m.article_seq
    WHERE m.article_seq IN (
      SELECT DISTINCT article_seq FROM minhash_bands WHERE band_key IN (SELECT value FROM json_each(?))
    )`);
  // CAST: better-sqlite3 binds JS numbers as REAL; seq and band keys must be stored as integers.
  const insertSignature = db.prepare<[number, number, Buffer]>(
    'INSERT INTO article_minhash (article_seq, shingles, signature) VALUES (CAST(? AS INTEGER), CAST(? AS INTEGER), ?)',
  );
  const insertBand = db.prepare<[number, number]>(
    'INSERT OR IGNORE INTO minhash_bands (band_key, article_seq) VALUES (CAST(? AS INTEGER), CAST(? AS INTEGER))',
  );
  const selectMembers = db.prepare<[string, number], MemberRow>(`
    SELECT a.id, c.title, a.url, a.outlet_id, a.date, a.date_is_fallback, a.first_seen_at
    FROM articles AS a JOIN article_contents AS c ON c.seq = a.seq
    WHERE a.cluster_id = ? ORDER BY a.date_ms, a.first_seen_at, a.id LIMIT ?`);
  const countMembers = db.prepare<[string], number>('SELECT count(*) FROM articles WHERE cluster_id = ?').pluck();
  const selectOrigin = db
    .prepare<[string], string>('SELECT id FROM articles WHERE cluster_id = ? ORDER BY date_ms, first_seen_at, id LIMIT 1')
    .pluck();
  const selectClusterOf = db.prepare<[string], string | null>('SELECT cluster_id FROM articles WHERE id = ?').pluck();

  return {
    findCluster(fingerprint, outletId) {
      const candidates = selectCandidates.all(JSON.stringify(fingerprint.bandKeys)).map((r) => ({
        clusterId: r.cluster_id,
        articleId: r.id,
        outletId: r.outlet_id,
        shingleCount: r.shingles,
        signature: bufferToSignature(r.signature),
      }));
      return chooseCluster({ ...fingerprint, outletId }, candidates);
    },

    recordFingerprint(seq, fingerprint) {
      insertSignature.run(seq, fingerprint.shingleCount, signatureToBuffer(fingerprint.signature));
      for (const key of fingerprint.bandKeys) insertBand.run(key, seq);
    },

    getCluster(clusterId, limit) {
      const rows = selectMembers.all(clusterId, clusterLimit(limit));
      const origin = rows[0];
      if (!origin) return null;
      return {
        id: clusterId,
        originId: origin.id,
        size: countMembers.get(clusterId) ?? rows.length,
        members: withDelays(
          rows.map((r) => ({
            id: r.id,
            title: r.title,
            url: r.url,
            outletId: r.outlet_id,
            date: r.date,
            dateIsFallback: r.date_is_fallback === 1,
            firstSeenAt: r.first_seen_at,
          })),
        ),
      };
    },

    getArticleCluster(articleId) {
      const clusterId = selectClusterOf.get(articleId);
      if (clusterId === undefined) return null;
      // A row stored before migration 30 ran would have been given its own id by the migration; null cannot occur.
      const id = clusterId ?? articleId;
      return { clusterId: id, size: countMembers.get(id) ?? 1, originId: selectOrigin.get(id) ?? articleId };
    },
  };
}
