import { describe, expect, it } from 'vitest';
import { createMemoryTermStats } from '../../store/term-stats.ts';
import { extractKeywords, extractKeywordsFrom } from '../../worker/enrich/keywords.ts';
import { analyzeText } from '../../worker/enrich/analyzed-text.ts';

describe('extractKeywords', () => {
  it('ranks by frequency with a title boost and drops stopwords and numbers', () => {
    const kw = extractKeywords(
      'Chlorine cylinders seen near Saraqib',
      'On 12 February 2018 about 20 cylinders were unloaded. The cylinders were said to hold chlorine. ' +
        'Residents filmed the trucks. The trucks left at 06:30.',
      'en',
    );
    expect(kw.slice(0, 2)).toEqual(['cylinders', 'chlorine']);
    expect(kw).toContain('trucks');
    expect(kw).not.toContain('the');
    expect(kw).not.toContain('were');
    expect(kw.some((k) => /^\d+$/.test(k))).toBe(false);
  });

  it('keeps capitalized multi-word names together and credits their words to the name', () => {
    const kw = extractKeywords(
      'Security Council to meet',
      'The UN Security Council will meet. Members of the Security Council disagree with the White Helmets. ' +
        'Officials of the Ministry of Defense and Jabhat al-Nusra were named.',
      'en',
    );
    expect(kw).toContain('security council');
    expect(kw).toContain('white helmets');
    expect(kw).toContain('ministry of defense');
    expect(kw).toContain('jabhat al nusra');
    expect(kw).not.toContain('helmets');
    expect(kw).not.toContain('council');
  });

  it('does not take a Title Case headline for names', () => {
    const kw = extractKeywords('Russia Warns Of Staged Chemical Attack', '', 'en');
    expect(kw).not.toContain('russia warns');
    expect(kw).toEqual(expect.arrayContaining(['russia', 'warns', 'staged', 'chemical', 'attack']));
  });

  it('drops Russian and Arabic stopwords', () => {
    const ru = extractKeywords('Провокация в Идлибе', 'Это провокация, которая была подготовлена в Идлибе и в Сирии.', 'ru');
    expect(ru[0]).toBe('провокация');
    expect(ru).not.toContain('это');
    expect(ru).not.toContain('которая');
    const ar = extractKeywords('', 'قالت الخوذ البيضاء إن الهجوم الكيميائي في إدلب كان من قبل', 'ar');
    expect(ar).toContain('الكيميائي');
    expect(ar).not.toContain('في');
  });

  it('honours the limit', () => {
    const text = Array.from({ length: 40 }, (_, i) => `word${String.fromCharCode(97 + (i % 26))}${i}`).join(' ');
    expect(extractKeywords('', text, 'en', 5)).toHaveLength(5);
    expect(extractKeywords('', text, 'en')).toHaveLength(10);
  });

  it('ranks by TF-IDF once the corpus has document frequencies, and by TF when it is empty', () => {
    const title = 'Vaccine trial results';
    const text = 'The coronavirus vaccine trial showed results. Coronavirus cases rose. Coronavirus testing went on. ' +
      'Moderna said the vaccine trial used mRNA.';
    const stats = createMemoryTermStats();
    // Cold start: plain TF, the thrice-repeated word outranks the one mentioned once.
    const cold = extractKeywords(title, text, 'en', 10, stats);
    expect(cold.indexOf('coronavirus')).toBeLessThan(cold.indexOf('mrna'));
    // A corpus where every article mentions the coronavirus and few mention mRNA.
    stats.addDocuments(
      Array.from({ length: 1000 }, (_, i) => ({ id: `d${i}`, terms: i % 100 === 0 ? ['coronavirus', 'mrna'] : ['coronavirus', 'cases'] })),
    );
    const kw = extractKeywords(title, text, 'en', 10, stats);
    expect(kw.indexOf('mrna')).toBeGreaterThanOrEqual(0);
    expect(kw.indexOf('coronavirus')).toBeGreaterThan(kw.indexOf('mrna'));
    expect(kw.slice(0, 2)).toContain('vaccine');
  });

  it('returns every distinct candidate term for document frequencies, names as one term', () => {
    const { terms } = extractKeywordsFrom(analyzeText('', 'The White Helmets said the White Helmets filmed it.'), 'en', 10);
    expect(terms).toContain('white helmets');
    expect(terms).toContain('filmed');
    expect(terms).not.toContain('the');
    expect(new Set(terms).size).toBe(terms.length);
  });
});
