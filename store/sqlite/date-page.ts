/**
 * The newest-first page of a match set held as seqs (match-set.ts): the same order and keyset as the SQL page,
 * (date_ms DESC, id DESC) after a cursor, found by one pass over the in-memory dates that keeps the k newest,
 * then one indexed read of those few rows to order them by the exact key (ids break date ties in SQL's collation).
 */
import type { Database } from 'better-sqlite3';
import type { FactsSnapshot } from './article-facts.ts';

/** The keyset position of the last hit of the previous page. */
export interface DateCursor {
  dateMs: number;
  id: string;
}

/**
 * Up to `k` seqs of `seqs` after `cursor`, ordered by date then id, both descending.
 * @param seqs ascending live seqs
 */
export function newestFirst(db: Database, facts: FactsSnapshot, seqs: Int32Array, cursor: DateCursor | undefined, k: number): number[] {
  const dates = facts.dateMs;
  let eligible = seqs;
  if (cursor !== undefined) {
    const before: number[] = [];
    const ties: number[] = [];
    for (let i = 0; i < seqs.length; i++) {
      const seq = seqs[i]!;
      const d = dates[seq]!;
      if (d < cursor.dateMs) before.push(seq);
      else if (d === cursor.dateMs) ties.push(seq);
    }
    // Articles at the cursor's own instant come after it only when their id sorts lower.
    eligible = Int32Array.from([...before, ...seqsWithIdBelow(db, ties, cursor.id)]);
  }
  if (eligible.length === 0 || k <= 0) return [];
  const threshold = kthNewest(dates, eligible, k);
  const candidates: number[] = [];
  for (let i = 0; i < eligible.length; i++) if (dates[eligible[i]!]! >= threshold) candidates.push(eligible[i]!);
  return db
    .prepare<[string, number], number>(
      'SELECT seq FROM articles WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY date_ms DESC, id DESC LIMIT ?',
    )
    .pluck()
    .all(JSON.stringify(candidates), k);
}

/**
 * The seqs among `seqs` whose article id sorts below `id` as SQLite compares it (BINARY): how a keyset cursor
 * settles ties on everything but the id.
 */
export function seqsWithIdBelow(db: Database, seqs: readonly number[], id: string): number[] {
  if (seqs.length === 0) return [];
  return db
    .prepare<[string, string], number>('SELECT seq FROM articles WHERE seq IN (SELECT value FROM json_each(?)) AND id < ?')
    .pluck()
    .all(JSON.stringify(seqs), id);
}

/** The k-th largest date among `seqs` (the smallest when there are fewer): a size-k min-heap in one pass. */
function kthNewest(dates: Float64Array, seqs: Int32Array, k: number): number {
  if (seqs.length <= k) {
    let min = Infinity;
    for (let i = 0; i < seqs.length; i++) min = Math.min(min, dates[seqs[i]!]!);
    return min;
  }
  const heap = new Float64Array(k);
  for (let i = 0; i < k; i++) heap[i] = dates[seqs[i]!]!;
  for (let i = (k >> 1) - 1; i >= 0; i--) siftDown(heap, i);
  for (let i = k; i < seqs.length; i++) {
    const d = dates[seqs[i]!]!;
    if (d > heap[0]!) {
      heap[0] = d;
      siftDown(heap, 0);
    }
  }
  return heap[0]!;
}

function siftDown(heap: Float64Array, at: number): void {
  const n = heap.length;
  let i = at;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let smallest = i;
    if (l < n && heap[l]! < heap[smallest]!) smallest = l;
    if (r < n && heap[r]! < heap[smallest]!) smallest = r;
    if (smallest === i) return;
    const t = heap[i]!;
    heap[i] = heap[smallest]!;
    heap[smallest] = t;
    i = smallest;
  }
}
