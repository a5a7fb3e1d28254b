/**
 * Corpus document frequencies for TF-IDF keywords: how many stored articles contain each candidate term.
 * Kept up to date incrementally after each insert, idempotent per article id.
 */

/** Read side, used by the (synchronous) keyword extractor. */
export interface DocumentFrequencies {
  /** Articles counted so far. */
  documentCount(): number;
  /** df of each given term (terms never seen are absent). One call per article, so adapters can batch. */
  frequencies(terms: readonly string[]): ReadonlyMap<string, number>;
}

/** One counted article: its id (for idempotency) and its distinct candidate terms. */
export interface TermDocument {
  id: string;
  terms: readonly string[];
}

/**
 * Read and write side. `addDocuments` counts each article id at most once, ever: replaying a batch, or two
 * workers counting the same article, does not inflate df.
 */
export interface TermStats extends DocumentFrequencies {
  /** Returns how many of the documents were newly counted. */
  addDocuments(docs: readonly TermDocument[]): number;
}

/** In-memory TermStats for tests and the `enrich` command (a researcher's corpus seen in one run). */
export function createMemoryTermStats(): TermStats {
  const df = new Map<string, number>();
  const seen = new Set<string>();
  return {
    documentCount: () => seen.size,
    frequencies(terms) {
      const out = new Map<string, number>();
      for (const t of terms) {
        const n = df.get(t);
        if (n !== undefined) out.set(t, n);
      }
      return out;
    },
    addDocuments(docs) {
      let added = 0;
      for (const doc of docs) {
        if (seen.has(doc.id)) continue;
        seen.add(doc.id);
        added++;
        for (const t of new Set(doc.terms)) df.set(t, (df.get(t) ?? 0) + 1);
      }
      return added;
    },
  };
}
