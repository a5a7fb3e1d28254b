/**
 * Enrichment throughput on the ReCOVery texts (../shared/corpus, read at run time, never copied): each step alone,
 * the whole stage, the stage with SQLite TF-IDF document frequencies, and compromise alone on the same texts as
 * the baseline ratio. Also the entity F1 table on the GUM news gold.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nlp from 'compromise';
import { parseWatchlist } from '../core/watchlist.ts';
import type { RawArticle } from '../core/types.ts';
import { openDatabase } from '../store/sqlite/open-database.ts';
import { createSqliteTermStats } from '../store/sqlite/term-stats.ts';
import { compileActorMatcher } from '../worker/enrich/actors.ts';
import { analyzeText } from '../worker/enrich/analyzed-text.ts';
import { createPreparingEnricher, entitySourceText } from '../worker/enrich/enrich-article.ts';
import { buildEntityGazetteer, extractEntities } from '../worker/enrich/entities.ts';
import { extractKeywordsFrom } from '../worker/enrich/keywords.ts';
import { detectLanguage } from '../worker/enrich/language.ts';
import { formatNerScores, goldMentions, scoreNer, type GumDocument, type NerScores } from '../worker/enrich/ner-eval.ts';
import { buildPreparedThemeMatcher, createWatchlistResolver } from '../worker/enrich/themes.ts';
import { prepareArticle } from '../core/query/match.ts';
import { readCorpus } from './corpus-feeds.ts';
import { median, type BenchRow } from './table.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..');
/** GUM news gold (CC BY 2.5 texts, CC BY 4.0 annotations), beside the checkout like the corpus. */
export const GUM_FILE = path.resolve(REPO, '../shared/corpus/ner-gold/gum-news/gum-news-entities.jsonl');
/** compromise runs at ~45 articles/s (stack.md §5b): a fixed slice keeps the bench short. */
const COMPROMISE_SAMPLE = 200;

/** The GUM documents, or null when the shared folder is absent. */
export function readGum(file = GUM_FILE): GumDocument[] | null {
  if (!fs.existsSync(file)) return null;
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as GumDocument);
}

/** Entity scores of our extractor on GUM (watchlist actors as gazetteer, as in production). */
export function scoreGum(docs: readonly GumDocument[], gazetteer = buildEntityGazetteer([])): NerScores {
  return scoreNer(docs.map((d) => ({ gold: goldMentions(d), predicted: extractEntities(d.text, 'en', gazetteer) })));
}

function rate(n: number, seconds: number): string {
  return `${Math.round(n / seconds)} articles/s`;
}

function timeRuns(runs: number, n: number, fn: () => void): number {
  const seconds: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    seconds.push((performance.now() - t0) / 1000);
  }
  return median(seconds);
}

/** The enrichment section of `npm run bench`: one row per step, medians over `runs`. */
export async function benchEnrichment(runs: number): Promise<BenchRow[]> {
  const section = 'enrichment';
  const watchlist = parseWatchlist(fs.readFileSync(path.join(REPO, 'watchlist.yaml'), 'utf8'));
  const outlets = watchlist.outlets.map((o) => o.outlet);
  const corpus = readCorpus();
  const raws: RawArticle[] = corpus.map((a, i) => ({
    id: i.toString(16).padStart(32, '0'),
    url: a.url,
    canonicalUrl: a.url,
    feedId: 'bench',
    outletId: 'bench',
    guid: null,
    title: a.title ?? '',
    text: a.text,
    publishedAt: null,
    firstSeenAt: '2020-05-01T00:00:00.000Z',
    author: null,
  }));
  const n = raws.length;
  const meanChars = Math.round(raws.reduce((s, r) => s + r.text.length, 0) / n);
  const gazetteer = buildEntityGazetteer(watchlist.actors);
  const matchActors = compileActorMatcher(watchlist.actors);
  const matchThemes = buildPreparedThemeMatcher(
    watchlist.themes,
    createWatchlistResolver({ actors: watchlist.actors, themes: watchlist.themes, outlets }),
  );
  const enrich = createPreparingEnricher({ actors: watchlist.actors, themes: watchlist.themes, outlets });
  const analyzed = raws.map((r) => analyzeText(r.title, r.text));
  const sources = raws.map(entitySourceText);
  const slices3k = raws.map((r) => r.text.slice(0, 3000));
  // Warm-up: wink model load, franc, tokenizer caches, JIT.
  for (const r of raws.slice(0, 50)) enrich(r);

  const rows: BenchRow[] = [];
  let en = 0;
  for (const r of raws) if (detectLanguage(r.title, r.text).language === 'en') en++;
  const step = (measure: string, fn: () => void, note?: string): number => {
    const s = timeRuns(runs, n, fn);
    rows.push({ section, measure, value: rate(n, s), ...(note ? { note } : {}) });
    return s;
  };
  step('language (franc-min, 640-char sample)', () => {
    for (const r of raws) detectLanguage(r.title, r.text);
  }, `${en}/${n} detected 'en' (all are English)`);
  step('tokenize once (AnalyzedText)', () => {
    for (const r of raws) analyzeText(r.title, r.text);
  });
  step('entities (wink PROPN runs + gazetteers)', () => {
    for (const s of sources) extractEntities(s, 'en', gazetteer);
  }, `mean ${meanChars} chars`);
  step('entities on 3 KB slices', () => {
    for (const s of slices3k) extractEntities(s, 'en', gazetteer);
  }, 'first 3,000 chars of each text');
  step('actors (one trie, shared tokens)', () => {
    for (const a of analyzed) matchActors(a);
  }, `${watchlist.actors.length} actors`);
  step('themes (shared tokens)', () => {
    for (const a of analyzed) matchThemes(prepareArticle({ title: a.title, text: a.text, outletId: 'bench', language: 'en', actors: [], themes: [] }));
  }, `${watchlist.themes.length} themes; includes prepareArticle`);
  step('keywords (TF, cold start)', () => {
    for (const a of analyzed) extractKeywordsFrom(a, 'en', 20);
  });
  const whole = step('whole stage', () => {
    for (const r of raws) enrich(r);
  }, 'language+tokenize+actors+themes+keywords+entities');

  // TF-IDF with document frequencies in SQLite: look up per article, count after "insert".
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nm-bench-df-'));
  try {
    const seconds: number[] = [];
    for (let r = 0; r < runs; r++) {
      const db = openDatabase(path.join(dir, `df-${r}.sqlite`));
      const stats = createSqliteTermStats(db);
      const withDf = createPreparingEnricher({ actors: watchlist.actors, themes: watchlist.themes, outlets }, { documentFrequencies: stats });
      const t0 = performance.now();
      for (let i = 0; i < n; i += 100) {
        const batch = raws.slice(i, i + 100).map((raw) => withDf(raw));
        stats.addDocuments(batch.map((b) => ({ id: b.article.id, terms: b.terms })));
      }
      seconds.push((performance.now() - t0) / 1000);
      db.close();
    }
    rows.push({
      section,
      measure: 'whole stage + SQLite TF-IDF (df read + update)',
      value: rate(n, median(seconds)),
      ratio: `${(whole / median(seconds)).toFixed(2)}x`,
      note: 'ratio vs whole stage without df',
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  // Baseline: compromise alone on the same texts (a fixed slice: it is ~20x slower).
  const sample = raws.slice(0, COMPROMISE_SAMPLE);
  const compromiseSeconds = timeRuns(runs, sample.length, () => {
    for (const r of sample) {
      const doc = nlp(entitySourceText(r));
      doc.people().out('array');
      doc.organizations().out('array');
      doc.places().out('array');
    }
  });
  const oursSeconds = timeRuns(runs, sample.length, () => {
    for (const r of sample) enrich(r);
  });
  rows.push({ section, measure: 'compromise people/orgs/places (baseline)', value: rate(sample.length, compromiseSeconds), note: `first ${sample.length} texts` });
  rows.push({
    section,
    measure: 'whole stage, same texts',
    value: rate(sample.length, oursSeconds),
    ratio: `${(compromiseSeconds / oursSeconds).toFixed(1)}x`,
    note: 'vs compromise alone',
  });

  const gum = readGum();
  if (gum) {
    const scores = scoreGum(gum, gazetteer);
    for (const [variant, s] of Object.entries(scores)) {
      rows.push({
        section: 'entities F1 (GUM news)',
        measure: variant,
        value: `F1 ${s.f1.toFixed(3)}`,
        note: `P ${s.precision.toFixed(3)} R ${s.recall.toFixed(3)} (tp ${s.tp}, fp ${s.fp}, fn ${s.fn})`,
      });
    }
  } else {
    rows.push({ section: 'entities F1 (GUM news)', measure: 'skipped', value: '-', note: `${GUM_FILE} not found` });
  }
  return rows;
}

export { formatNerScores };
