/**
 * `enrich [FILE]`: JSON Lines in (`{ "title", "text", "lang"? }` per line, stdin or FILE), the same records out
 * with language, keywords, entities, actors and themes added. Streaming: one record in memory at a time.
 */
import fs from 'node:fs';
import { once } from 'node:events';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { parseWatchlist, type Watchlist } from '../../core/watchlist.ts';
import type { RawArticle } from '../../core/types.ts';
import { createMemoryTermStats } from '../../store/term-stats.ts';
import { createPreparingEnricher } from '../../worker/enrich/enrich-article.ts';
import type { ExtractedEntity } from '../../worker/enrich/entities.ts';

/** Where `runEnrich` reads, writes and reports. */
export interface EnrichCommandOptions {
  /** JSON Lines input (stdin, or a file stream). */
  input: Readable;
  output: Writable;
  /** Bad lines and watchlist problems, one line each. */
  errors: Writable;
  /** Watchlist YAML giving actors and themes; null = none (language, keywords and entities only). */
  watchlistPath: string | null;
  /** @defaultValue 20 */
  keywordLimit?: number;
}

interface InputRecord {
  title: string;
  text: string;
  lang?: string;
}

function readRecord(value: unknown): InputRecord | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const r = value as Record<string, unknown>;
  const title = r.title ?? '';
  const text = r.text ?? '';
  if (typeof title !== 'string') return '"title" must be a string';
  if (typeof text !== 'string') return '"text" must be a string';
  if (title === '' && text === '') return 'needs a "title" or a "text"';
  if (r.lang !== undefined && r.lang !== null && (typeof r.lang !== 'string' || !/^[a-z]{2,3}$/i.test(r.lang))) {
    return '"lang" must be an ISO 639 code such as "en"';
  }
  return { title, text, ...(typeof r.lang === 'string' ? { lang: r.lang } : {}) };
}

/** Title entities and text entities from entities found in `title + "\n\n" + text` (entitySourceText). */
function splitEntities(all: readonly ExtractedEntity[], title: string, text: string) {
  const offset = text.trim() === '' ? null : title.length + 2;
  const titleEntities: ExtractedEntity[] = [];
  const entities: ExtractedEntity[] = [];
  for (const e of all) {
    if (offset === null || e.end <= title.length) titleEntities.push(e);
    else entities.push({ ...e, start: e.start - offset, end: e.end - offset });
  }
  return { entities, titleEntities };
}

/**
 * Runs the command. Each output line is the input object with `language`, `languageConfidence`, `keywords`,
 * `entities` (offsets into `text`), `titleEntities` (offsets into `title`), `actors` and `themes` added; offsets are
 * UTF-16 code unit indexes, so in JavaScript `text.slice(start, end) === entity.text` (Python: index the string
 * encoded as UTF-16). Keyword IDF uses the document frequencies of the records read so far, so the first records
 * get the cold-start (TF) ranking. A bad line is reported as `enrich: line N: reason` and skipped.
 *
 * @returns 0 when every line was enriched, 1 when some were skipped, 2 when the watchlist cannot be read.
 */
export async function runEnrich(options: EnrichCommandOptions): Promise<number> {
  let watchlist: Pick<Watchlist, 'actors' | 'themes' | 'outlets'> = { actors: [], themes: [], outlets: [] };
  if (options.watchlistPath !== null) {
    try {
      watchlist = parseWatchlist(fs.readFileSync(options.watchlistPath, 'utf8'), options.watchlistPath);
    } catch (err) {
      options.errors.write(`enrich: cannot use watchlist ${options.watchlistPath}: ${err instanceof Error ? err.message : String(err)}\n`);
      return 2;
    }
  }
  const termStats = createMemoryTermStats();
  const enrich = createPreparingEnricher(
    { actors: watchlist.actors, themes: watchlist.themes, outlets: watchlist.outlets.map((o) => o.outlet) },
    {
      keywordLimit: options.keywordLimit ?? 20,
      documentFrequencies: termStats,
      onInvalidTheme: ({ id, error }) => options.errors.write(`enrich: theme ${id} skipped: ${error.message}\n`),
    },
  );

  const lines = readline.createInterface({ input: options.input, crlfDelay: Infinity });
  let lineNumber = 0;
  let failed = 0;
  const now = new Date(0).toISOString();
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      failed++;
      options.errors.write(`enrich: line ${lineNumber}: invalid JSON (${err instanceof Error ? err.message : String(err)})\n`);
      continue;
    }
    const record = readRecord(parsed);
    if (typeof record === 'string') {
      failed++;
      options.errors.write(`enrich: line ${lineNumber}: ${record}\n`);
      continue;
    }
    const id = lineNumber.toString(16).padStart(32, '0');
    const raw: RawArticle = {
      id,
      url: '',
      canonicalUrl: '',
      feedId: '',
      outletId: '',
      guid: null,
      title: record.title,
      text: record.text,
      publishedAt: null,
      firstSeenAt: now,
      author: null,
    };
    let out: string;
    try {
      const { article, entities, terms } = enrich(raw, record.lang ? { language: record.lang } : undefined);
      termStats.addDocuments([{ id, terms }]);
      out = JSON.stringify({
        ...(parsed as Record<string, unknown>),
        language: article.language,
        languageConfidence: article.languageConfidence,
        keywords: article.keywords,
        ...splitEntities(entities, record.title, record.text),
        actors: article.actors,
        themes: article.themes,
      });
    } catch (err) {
      failed++;
      options.errors.write(`enrich: line ${lineNumber}: ${err instanceof Error ? err.message : String(err)}\n`);
      continue;
    }
    if (!options.output.write(`${out}\n`)) await once(options.output, 'drain');
  }
  if (failed > 0) options.errors.write(`enrich: ${failed} of ${lineNumber} lines skipped\n`);
  return failed > 0 ? 1 : 0;
}
