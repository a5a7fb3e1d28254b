import { describe, expect, it } from 'vitest';
import { createEnricher, createPreparingEnricher, entitySourceText } from '../../worker/enrich/enrich-article.ts';
import { createMemoryTermStats } from '../../store/term-stats.ts';
import { SEED_ACTORS, STAGED_CHEMICAL_ATTACK, seedArticle } from './seed-watchlist.ts';

describe('createEnricher on the seed article', () => {
  const enrich = createEnricher({ actors: SEED_ACTORS, themes: [STAGED_CHEMICAL_ATTACK] });
  const raw = seedArticle();
  const article = enrich(raw);

  it('keeps the raw fields and detects English', () => {
    expect(article.id).toBe(raw.id);
    expect(article.title).toBe('Preparation of the provocation of the White Helmets is on the video');
    expect(article.language).toBe('en');
    expect(article.languageConfidence).toBeGreaterThan(0.3);
  });

  it('finds every watchlist actor the story names', () => {
    expect(article.actors).toEqual([
      'white-helmets',
      'russian-mod',
      'jabhat-al-nusra',
      'cnn',
      'nato',
      'unsc',
      'france',
      'united-states',
      'syria',
    ]);
  });

  it('assigns the staged chemical attack theme', () => {
    expect(article.themes).toEqual(['staged-chemical-attack']);
  });

  it('extracts keywords including chlorine and white helmets', () => {
    expect(article.keywords).toContain('white helmets');
    expect(article.keywords).toContain('chlorine');
    expect(article.keywords).toContain('provocation');
    expect(article.keywords.length).toBeLessThanOrEqual(20);
  });

  it('extracts typed entities with offsets into title + body', () => {
    const source = entitySourceText(raw);
    for (const e of article.entities) expect(source.slice(e.start, e.end)).toBe(e.text);
    const pairs = new Set(article.entities.map((e) => `${e.text}/${e.type}`));
    expect(pairs).toContain('Idlib/LOC');
    expect(pairs).toContain('CNN/ORG');
    expect(pairs).toContain('White Helmets/ORG');
    expect(pairs).toContain('Ministry of Defense/ORG');
    expect(pairs).toContain('UN Security Council/ORG');
    expect([...pairs].some((p) => p.startsWith('February'))).toBe(false);
  });

  it('lets theme queries use actor: and sees watchlist changes only through a new enricher', () => {
    const withActorTheme = createEnricher({
      actors: SEED_ACTORS,
      themes: [
        { id: 'nusra-and-helmets', name: 'Nusra with the Helmets', query: 'actor:"Jabhat al-Nusra" AND actor:white-helmets' },
        { id: 'nato-absent', name: 'no NATO', query: 'chlorine -actor:nato' },
      ],
    });
    expect(withActorTheme(raw).themes).toEqual(['nusra-and-helmets']);
    expect(withActorTheme({ ...raw, id: 'b'.repeat(32), text: 'Chlorine was found.' }).themes).toEqual(['nato-absent']);
  });

  it('skips a theme whose query does not compile and reports it', () => {
    const invalid: string[] = [];
    const e = createEnricher(
      { actors: SEED_ACTORS, themes: [{ id: 'broken', name: 'broken', query: 'actor:nobody' }, STAGED_CHEMICAL_ATTACK] },
      { onInvalidTheme: ({ id }) => invalid.push(id) },
    );
    expect(e(raw).themes).toEqual(['staged-chemical-attack']);
    expect(invalid).toEqual(['broken']);
  });

  it('tags a Russian article by actors but leaves entities empty', () => {
    const ru = enrich(
      seedArticle({ title: 'Белые каски готовят провокацию', text: 'Минобороны России сообщило о провокации Белых касок в Сирии.' }),
    );
    expect(ru.language).toBe('ru');
    expect(ru.actors).toEqual(['white-helmets', 'russian-mod', 'syria']);
    expect(ru.entities).toEqual([]);
  });

  it('returns candidate terms for document frequencies, entity actor ids, and honours a language hint', () => {
    const stats = createMemoryTermStats();
    const enrichWithDf = createPreparingEnricher({ actors: SEED_ACTORS, themes: [] }, { documentFrequencies: stats });
    const first = enrichWithDf(raw);
    expect(first.terms).toContain('white helmets');
    expect(first.terms).toContain('chlorine');
    expect(first.entities.find((e) => e.text === 'White Helmets')?.actorId).toBe('white-helmets');
    // The stored article's entities are plain Entity objects.
    expect(first.article.entities.every((e) => !('actorId' in e))).toBe(true);
    stats.addDocuments([{ id: raw.id, terms: first.terms }]);
    expect(stats.documentCount()).toBe(1);
    const hinted = enrichWithDf(seedArticle({ title: 'Chlorine', text: 'Chlorine was found.' }), { language: 'FR' });
    expect(hinted.article.language).toBe('fr');
    expect(hinted.article.languageConfidence).toBe(1);
  });
});
