import { describe, expect, it } from 'vitest';
import { buildEntityGazetteer, extractEntities } from '../../worker/enrich/entities.ts';
import { SEED_ACTORS } from './seed-watchlist.ts';

const gazetteer = buildEntityGazetteer(SEED_ACTORS);

function typed(text: string): string[] {
  return extractEntities(text, 'en', gazetteer).map((e) => `${e.text}/${e.type}`);
}

describe('extractEntities', () => {
  it('types proper-noun runs by watchlist, places and cue words, stripping titles', () => {
    const text =
      'Mr. Lavrov met President Emmanuel Macron in Moscow on Tuesday. Major General Yuri Borenkov of the Syrian ' +
      'Arab Army spoke to CNN and the U.S. State Department about Jabhat al-Nusra in Idlib. ' +
      'Secretary of State Mike Pompeo met the President of France at the New York Times.';
    expect(typed(text)).toEqual([
      'Lavrov/PER',
      'Emmanuel Macron/PER',
      'Moscow/LOC',
      'Yuri Borenkov/PER',
      'Syrian Arab Army/ORG',
      'CNN/ORG',
      'U.S. State Department/ORG',
      'Jabhat al-Nusra/ORG',
      'Idlib/LOC',
      'Mike Pompeo/PER',
      'France/LOC',
      'New York Times/ORG',
    ]);
  });

  it('gives offsets into the text it was given', () => {
    const text = '“White Helmets” in Idlib —\n the Ministry of Defense of Russia, and Al-Qaeda’s branch.';
    const entities = extractEntities(text, 'en', gazetteer);
    expect(entities.length).toBeGreaterThanOrEqual(4);
    for (const e of entities) expect(text.slice(e.start, e.end)).toBe(e.text);
    expect(entities.map((e) => e.text)).toEqual(['White Helmets', 'Idlib', 'Ministry of Defense of Russia', 'Al-Qaeda']);
  });

  it('drops month and day names and sentence-initial common words', () => {
    expect(typed('Preparation of the attack began in February. On Monday the preparation went on in Aleppo.')).toEqual([
      'Aleppo/LOC',
    ]);
  });

  it('returns nothing for languages other than English (not supported yet)', () => {
    expect(extractEntities('Белые каски в Идлибе', 'ru', gazetteer)).toEqual([]);
    expect(extractEntities('', 'en', gazetteer)).toEqual([]);
  });
});
