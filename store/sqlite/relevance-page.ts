/**
 * The relevance page of a match set held as seqs (match-set.ts): the order and keyset of relevancePage in
 * search-complete.ts — bm25 ascending (0 for matches without a positive text leaf), then date and id descending —
 * with one FTS5 scoring pass read as two JSON arrays and merged with the seqs, instead of a join through `articles`.
 */
import type { Database } from 'better-sqlite3';
import type { FactsSnapshot } from './article-facts.ts';
import type { RelevanceCursor } from './cursor.ts';
import { seqsWithIdBelow } from './date-page.ts';
import { BM25_TEXT_WEIGHT, BM25_TITLE_WEIGHT, type RankedSeq } from './search-complete.ts';

/**
 * Up to `k` of `seqs` after `cursor` in relevance order, each with its score.
 * @param seqs ascending live seqs
 * @param match the FTS5 expression ranked (relevanceMatch), or null when nothing is ranked (every score 0)
 */
export function rankedFirst(
  db: Database,
  facts: FactsSnapshot,
  seqs: Int32Array,
  match: string | null,
  cursor: (RelevanceCursor & { dateMs: number }) | undefined,
  k: number,
): RankedSeq[] {
  const dates = facts.dateMs;
  const scores = new Float64Array(seqs.length);
  if (match !== null && seqs.length > 0) {
    const row = db
      .prepare<[string], { seqs: string; scores: string }>(
        `WITH rank(seq, score) AS MATERIALIZED (
           SELECT rowid, bm25(articles_fts, ${BM25_TITLE_WEIGHT}, ${BM25_TEXT_WEIGHT}) FROM articles_fts WHERE articles_fts MATCH ?)
         SELECT json_group_array(seq) AS seqs, json_group_array(score) AS scores FROM rank`,
      )
      .get(match);
    const ranked = JSON.parse(row?.seqs ?? '[]') as number[];
    // SQLite prints doubles with 17 significant digits, so each parsed score is the stored double bit for bit.
    const rankedScores = JSON.parse(row?.scores ?? '[]') as number[];
    const scoreOf = isAscending(ranked) ? null : new Map(ranked.map((seq, i) => [seq, rankedScores[i]!]));
    for (let i = 0, j = 0; i < seqs.length; i++) {
      const seq = seqs[i]!;
      if (scoreOf !== null) {
        scores[i] = scoreOf.get(seq) ?? 0;
        continue;
      }
      while (j < ranked.length && ranked[j]! < seq) j++;
      if (j < ranked.length && ranked[j] === seq) scores[i] = rankedScores[j]!;
    }
  }

  // Positions into seqs/scores that come after the cursor; ties on (score, date) are settled by id in SQL.
  let eligible: number[] = [];
  if (cursor === undefined) eligible = Array.from({ length: seqs.length }, (_, i) => i);
  else {
    const ties: number[] = [];
    for (let i = 0; i < seqs.length; i++) {
      const s = scores[i]!;
      const d = dates[seqs[i]!]!;
      if (s > cursor.score || (s === cursor.score && d < cursor.dateMs)) eligible.push(i);
      else if (s === cursor.score && d === cursor.dateMs) ties.push(i);
    }
    const later = new Set(seqsWithIdBelow(db, ties.map((i) => seqs[i]!), cursor.id));
    for (const i of ties) if (later.has(seqs[i]!)) eligible.push(i);
  }
  if (eligible.length === 0 || k <= 0) return [];

  // (score, date) of the k-th best eligible match; every match at least that good is a candidate.
  const better = (a: number, b: number): boolean =>
    scores[a]! < scores[b]! || (scores[a] === scores[b] && dates[seqs[a]!]! > dates[seqs[b]!]!);
  const kth = kthBest(eligible, k, better);
  const candidates = eligible.filter((i) => !better(kth, i));
  const idOf = new Map(
    db
      .prepare<[string], { seq: number; id: string }>('SELECT seq, id FROM articles WHERE seq IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(candidates.map((i) => seqs[i]!)))
      .map((r) => [r.seq, r.id]),
  );
  return candidates
    .sort((a, b) => {
      if (better(a, b)) return -1;
      if (better(b, a)) return 1;
      // SQLite compares ids as bytes (BINARY): compare their UTF-8, descending.
      return Buffer.compare(Buffer.from(idOf.get(seqs[b]!) ?? ''), Buffer.from(idOf.get(seqs[a]!) ?? ''));
    })
    .slice(0, k)
    .map((i) => ({ seq: seqs[i]!, score: scores[i]! }));
}

function isAscending(xs: readonly number[]): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i - 1]! >= xs[i]!) return false;
  return true;
}

/** The k-th best of `items` by `better` (the worst when there are fewer): a size-k heap whose root is its worst. */
function kthBest(items: readonly number[], k: number, better: (a: number, b: number) => boolean): number {
  const heap: number[] = [];
  const worse = (a: number, b: number): boolean => better(b, a);
  const up = (at: number): void => {
    let i = at;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!worse(heap[i]!, heap[parent]!)) return;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  };
  const down = (at: number): void => {
    let i = at;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < heap.length && worse(heap[l]!, heap[worst]!)) worst = l;
      if (r < heap.length && worse(heap[r]!, heap[worst]!)) worst = r;
      if (worst === i) return;
      [heap[i], heap[worst]] = [heap[worst]!, heap[i]!];
      i = worst;
    }
  };
  for (const item of items) {
    if (heap.length < k) {
      heap.push(item);
      up(heap.length - 1);
    } else if (better(item, heap[0]!)) {
      heap[0] = item;
      down(0);
    }
  }
  return heap[0]!;
}
