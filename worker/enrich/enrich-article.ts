/**
 * The enrich step: RawArticle -> EnrichedArticle (language, keywords, entities, actors, themes). Pure: the
 * watchlist is compiled once into matchers when the enricher is created.
 */
import { prepareArticle, type PreparedArticle } from '../../core/query/match.ts';
import type { Actor, EnrichedArticle, Outlet, RawArticle, Theme } from '../../core/types.ts';
import { buildActorMatcher } from './actors.ts';
import { buildEntityGazetteer, extractEntities } from './entities.ts';
import { extractKeywords } from './keywords.ts';
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
}

/** An enriched article plus its tokens, so alert queries can run without tokenizing it again. */
export interface EnrichResult {
  article: EnrichedArticle;
  /** Tokenized article with actors and themes set. */
  prepared: PreparedArticle;
}

/**
 * The text entity offsets refer to: title, a blank line, then the body. Entities are searched in both because
 * feeds often carry only a headline.
 */
export function entitySourceText(raw: Pick<RawArticle, 'title' | 'text'>): string {
  return raw.text.trim() === '' ? raw.title : `${raw.title}\n\n${raw.text}`;
}

/** Like {@link createEnricher}, but also returns the prepared (tokenized) article. */
export function createPreparingEnricher(
  watchlist: EnrichmentWatchlist,
  options: EnricherOptions = {},
): (raw: RawArticle) => EnrichResult {
  const keywordLimit = options.keywordLimit ?? 20;
  const matchActors = buildActorMatcher(watchlist.actors);
  const gazetteer = buildEntityGazetteer(watchlist.actors);
  const resolve = createWatchlistResolver({
    actors: watchlist.actors,
    themes: watchlist.themes,
    outlets: watchlist.outlets ?? [],
  });
  const matchThemes = buildPreparedThemeMatcher(watchlist.themes, resolve, options.onInvalidTheme);

  return (raw) => {
    const { language, confidence } = detectLanguage(raw.title, raw.text);
    const actors = matchActors(raw.title, raw.text);
    const forThemes = prepareArticle({
      title: raw.title,
      text: raw.text,
      outletId: raw.outletId,
      language,
      actors,
      themes: [],
    });
    const themes = matchThemes(forThemes);
    const article: EnrichedArticle = {
      ...raw,
      language,
      languageConfidence: confidence,
      keywords: extractKeywords(raw.title, raw.text, language, keywordLimit),
      entities: extractEntities(entitySourceText(raw), language, gazetteer),
      actors,
      themes,
    };
    // Same tokens; only the theme set differs, so alert queries can use `theme:`.
    return { article, prepared: { ...forThemes, themes: new Set(themes) } };
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
