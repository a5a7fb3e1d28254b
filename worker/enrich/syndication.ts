/**
 * Near-duplicate fingerprints for syndication detection: MinHash signatures over word shingles of the normalized
 * body and their LSH band keys. Pure; the store matches fingerprints against stored ones (store/sqlite/clusters.ts).
 */
import { tokenize } from '../../core/query/tokenize.ts';
import type { SyndicationFingerprint } from '../../store/article-store.ts';
import { MINHASH_BANDS, MINHASH_PERMUTATIONS, MINHASH_ROWS } from '../../store/sqlite/clusters.ts';

/**
 * Words per shingle. 5 is the usual choice for news near-duplicates: 3-word shingles ("the world health") are
 * shared by unrelated COVID stories, while longer ones make a few edited words destroy too many shingles
 * (each changed word removes `SHINGLE_WORDS` shingles). Measured on ReCOVery in tests/worker/syndication-eval.test.ts.
 */
export const SHINGLE_WORDS = 5;
/**
 * Bodies with fewer distinct shingles are not fingerprinted (they stay single-article clusters): one-line
 * summaries and boilerplate ("Subscribe to our newsletter…") are shared by unrelated articles. 30 shingles is
 * about 35 words, a short paragraph.
 */
export const MIN_SHINGLES = 30;

// Fixed forever: stored signatures are compared with new ones, so changing a constant or a hash below makes every
// stored signature useless.
const VALUE_SALT = 0x5bd1e995;

/** murmur3's 32-bit finalizer: a bijection on uint32 with full avalanche. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over UTF-16 code units. */
function hashToken(token: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    h ^= token.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Distinct 32-bit hashes of the `SHINGLE_WORDS`-word shingles of a token sequence, ascending. */
export function shingleHashes(tokens: readonly string[]): Uint32Array {
  const k = SHINGLE_WORDS;
  if (tokens.length < k) return new Uint32Array(0);
  const th = new Uint32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) th[i] = hashToken(tokens[i] ?? '');
  const all = new Uint32Array(tokens.length - k + 1);
  for (let i = 0; i < all.length; i++) {
    // Each word rotated by its position in the shingle, so "a b" and "b a" differ; one finalizer mixes the lot.
    let h = 0;
    for (let j = 0; j < k; j++) {
      const t = th[i + j] ?? 0;
      const r = (j * 7) & 31;
      h ^= r === 0 ? t : (t << r) | (t >>> (32 - r));
    }
    all[i] = fmix32(h);
  }
  // A numeric sort of a typed array and one pass dedupe beat a Set by about 2x here.
  all.sort();
  let n = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) all[n++] = all[i] ?? 0;
  return all.slice(0, n);
}

/**
 * The MinHash signature of a shingle set by one-permutation hashing with optimal densification (Shrivastava,
 * ICML 2017): one hash per shingle picks a bin (top 7 bits) and a value, each bin keeps its minimum, and an empty
 * bin borrows the value of the first non-empty bin on its own fixed pseudo-random probe sequence. Same estimator as
 * 128 independent permutations (fraction of equal slots), at one hash per shingle instead of 128: the classic
 * 128-permutation loop ran at about 230 articles/s on ReCOVery, this one at several thousand.
 */
export function minhashSignature(shingles: Uint32Array): Uint32Array {
  const n = MINHASH_PERMUTATIONS;
  const sig = new Uint32Array(n).fill(0xffffffff);
  const filled = new Uint8Array(n);
  for (let s = 0; s < shingles.length; s++) {
    const x = shingles[s] ?? 0;
    const bin = x % n;
    const v = fmix32(x ^ VALUE_SALT);
    if (v <= (sig[bin] ?? 0)) sig[bin] = v;
    filled[bin] = 1;
  }
  const out = Uint32Array.from(sig);
  for (let i = 0; i < n; i++) {
    if (filled[i] === 1) continue;
    // The probe sequence depends only on (i, attempt), never on the set: two sets that agree on the probed bins
    // agree on the borrowed value, which is what keeps the estimator unbiased.
    for (let attempt = 1; ; attempt++) {
      const j = fmix32(Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(attempt, 0x85ebca6b)) % n;
      if (filled[j] === 1) {
        out[i] = sig[j] ?? 0;
        break;
      }
      // Unreachable for a non-empty set in practice; the guard keeps an empty set from looping forever.
      if (attempt > 64 * n) break;
    }
  }
  return out;
}

/**
 * LSH band keys of a signature: band b hashes rows b*R..b*R+R-1 into 32 bits and adds b * 2^32, so keys of
 * different bands never collide and every key is a safe integer (< 2^37) that SQLite stores as INTEGER.
 */
export function bandKeys(signature: Uint32Array): number[] {
  const keys: number[] = [];
  for (let b = 0; b < MINHASH_BANDS; b++) {
    let h = 0x6a09e667 ^ b;
    for (let r = 0; r < MINHASH_ROWS; r++) h = fmix32((h ^ (signature[b * MINHASH_ROWS + r] ?? 0)) >>> 0);
    keys.push(b * 0x1_0000_0000 + h);
  }
  return keys;
}

/**
 * The fingerprint of an article body given as normalized word tokens (core/query/tokenize.ts), or null when the
 * body is too short to tell copies from coincidences (fewer than MIN_SHINGLES distinct shingles).
 */
export function fingerprintTokens(tokens: readonly string[]): SyndicationFingerprint | null {
  const shingles = shingleHashes(tokens);
  if (shingles.length < MIN_SHINGLES) return null;
  const signature = minhashSignature(shingles);
  return { signature, shingleCount: shingles.length, bandKeys: bandKeys(signature) };
}

/**
 * The fingerprint of an article's body, from its tokens when the caller already has them. Only the body counts:
 * re-headlined copies must match, and a title-only item (empty body) gets null, as do short bodies.
 */
export function fingerprintArticle(article: { text: string }, bodyTokens?: readonly string[]): SyndicationFingerprint | null {
  return fingerprintTokens(bodyTokens ?? tokenize(article.text));
}
