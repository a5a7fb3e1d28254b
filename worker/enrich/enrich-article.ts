/**
 * The enrich step: RawArticle -> EnrichedArticle (language, keywords, entities, actors, themes). Pure: the
 * watchlist is compiled once into matchers when the enricher is created.
 */
import { withArticleFields, type PreparedArticle } from '../../core/query/match.ts';
import type { Actor, EnrichedArticle, Outlet, RawArticle, Theme } from '../../core/types.ts';
import type { DocumentFrequencies } from '../../store/term-stats.ts';
import { compileActorMatcher } from './actors.ts';
import { analyzeText, type AnalyzedText } from './analyzed-text.ts';
import { buildEntityGazetteer, extractEntities, type ExtractedEntity } from './entities.ts';
import { extractKeywordsFrom } from './keywords.ts';
import { detectLanguage } from './language.ts';
import { buildPreparedThemeMatcher, createWatchlistResolver, type InvalidQuery } from './themes.ts';

/** What enrichment needs from the watchlist. Outlets only serve `outlet:` inside theme queries. */
export interface EnrichmentWatchlist {
  actors: readonly Actor[];
  themes: readonly Theme[];
  outlets?: readonly Pick<Outlet, 'id' | 'name'>[];
}

export interface EnricherOptions {
  /**
   * Keywords kept per article. They feed the top-terms view, and plain TF ranks a topical word mentioned
   * twice around 15th-20th in a 3 KB story, hence more than a headline's worth.
   * @defaultValue 20
   */
  keywordLimit?: number;
  /** Called once per theme whose query does not compile; that theme is then never assigned. */
  onInvalidTheme?: (invalid: InvalidQuery) => void;
  /**
   * Corpus document frequencies for TF-IDF keywords. Without them keywords are plain TF (the cold-start
   * heuristic). The caller counts each stored article's `terms` into them after insert.
   */
  documentFrequencies?: DocumentFrequencies;
}

/** An enriched article plus its tokens, so alert queries can run without tokenizing it again. */
export interface EnrichResult {
  article: EnrichedArticle;
  /** Tokenized article with actors and themes set. */
  prepared: PreparedArticle;
  /** Entities as in `article.entities`, with `actorId` where a mention names a watchlist actor. */
  entities: ExtractedEntity[];
  /** Distinct keyword candidate terms: what corpus document frequencies count for this article. */
  terms: string[];
}

/*
 * Built here rather than with prepareArticle so the tokens analyzeText already produced are reused; the fields are
 * the ones core/query/match.ts reads, produced by the same tokenizer.
 */
function preparedFrom(a: AnalyzedText, outletId: string, language: string, actors: readonly string[]): PreparedArticle {
  return {
    prepared: true,
    titleTokens: a.titleWords,
    bodyTokens: a.bodyWords,
    titleSet: new Set(a.titleWords),
    bodySet: new Set(a.bodyWords),
    outletId,
    language: language.toLowerCase(),
    actors: new Set(actors),
    themes: new Set(),
  };
}

/**
 * The text entity offsets refer to: title, a blank line, then the body. Entities are searched in both because
 * feeds often carry only a headline.
 */
export function entitySourceText(raw: Pick<RawArticle, 'title' | 'text'>): string {
  return raw.text.trim() === '' ? raw.title : `${raw.title}\n\n${raw.text}`;
}

/** Per-article overrides. */
export interface EnrichHints {
  /** ISO 639-1 language known from elsewhere (the outlet, the researcher): used instead of detection. */
  language?: string;
}

/**
 * Like {@link createEnricher}, but also returns the prepared (tokenized) article, entities with actor ids and
 * the keyword candidate terms.
 */
export function createPreparingEnricher(
  watchlist: EnrichmentWatchlist,
  options: EnricherOptions = {},
): (raw: RawArticle, hints?: EnrichHints) => EnrichResult {
  const keywordLimit = options.keywordLimit ?? 20;
  const matchActors = compileActorMatcher(watchlist.actors);
  const gazetteer = buildEntityGazetteer(watchlist.actors);
  const resolve = createWatchlistResolver({
    actors: watchlist.actors,
    themes: watchlist.themes,
    outlets: watchlist.outlets ?? [],
  });
  const matchThemes = buildPreparedThemeMatcher(watchlist.themes, resolve, options.onInvalidTheme);

  return (raw, hints) => {
    const given = hints?.language?.trim().toLowerCase();
    const { language, confidence } = given ? { language: given, confidence: 1 } : detectLanguage(raw.title, raw.text);
    const analyzed = analyzeText(raw.title, raw.text);
    const actors = matchActors(analyzed);
    const { keywords, terms } = extractKeywordsFrom(analyzed, language, keywordLimit, options.documentFrequencies);
    const entities = extractEntities(entitySourceText(raw), language, gazetteer);
    // Themes and alerts may use published:, keyword: and entity:, so they see the finished fields.
    const forThemes = withArticleFields(preparedFrom(analyzed, raw.outletId, language, actors), {
      publishedAt: raw.publishedAt,
      firstSeenAt: raw.firstSeenAt,
      keywords,
      entities,
    });
    const themes = matchThemes(forThemes);
    const article: EnrichedArticle = {
      ...raw,
      language,
      languageConfidence: confidence,
      keywords,
      // Plain Entity objects: actorId stays out of the stored article (core/types.ts Entity has no such field).
      entities: entities.map(({ text, type, start, end }) => ({ text, type, start, end })),
      actors,
      themes,
    };
    // Same tokens; only the theme set differs, so alert queries can use `theme:`.
    return { article, prepared: { ...forThemes, themes: new Set(themes) }, entities, terms };
  };
}

/**
 * Compiles the watchlist (actor trie, entity gazetteer, theme queries) once and returns the enrich function.
 * Themes see the article's actors, so `actor:` works inside theme queries. Entity offsets refer to
 * {@link entitySourceText}.
 */
export function createEnricher(
  watchlist: EnrichmentWatchlist,
  options: EnricherOptions = {},
): (raw: RawArticle) => EnrichedArticle {
  const enrich = createPreparingEnricher(watchlist, options);
  return (raw) => enrich(raw).article;
}
