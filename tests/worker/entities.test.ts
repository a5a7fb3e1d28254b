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

  it('normalizes variants to the watchlist actor and types by shape and coreference', () => {
    const text =
      "Russia's Defense Ministry said the Syrian team met Andy Warhol and the USI board. Later Warhol left. " +
      'The White Helmet volunteers stayed in Texas.';
    const entities = extractEntities(text, 'en', gazetteer);
    const byText = new Map(entities.map((e) => [e.text, e]));
    expect(byText.get('Russia')?.type).toBe('LOC');
    expect(byText.get('Defense Ministry')).toMatchObject({ type: 'ORG', actorId: 'russian-mod' });
    expect(byText.has('Syrian')).toBe(false); // a demonym before a common noun is an adjective
    expect(byText.get('Andy Warhol')?.type).toBe('PER');
    expect(byText.get('Warhol')?.type).toBe('PER');
    expect(byText.get('USI')?.type).toBe('ORG');
    expect(byText.get('White Helmet')).toMatchObject({ type: 'ORG', actorId: 'white-helmets' });
    expect(byText.get('Texas')?.type).toBe('LOC');
    for (const e of entities) expect(text.slice(e.start, e.end)).toBe(e.text);
  });

  it('ends a name at "of" unless the name before it heads one, and cuts sentence-initial common words', () => {
    const text =
      'Lawmakers elected Ann Chiang of DAB and Carlo De Benedetti of Italy. The University of Texas at Arlington ' +
      'and the Ministry of Defense of Russia replied. Nonpartisan Paul Tse won; nonpartisan voters agreed. ' +
      'New Zealand and the Korean People\'s Army were named.';
    expect(typed(text)).toEqual([
      'Ann Chiang/PER',
      'DAB/ORG',
      'Carlo De Benedetti/PER',
      'Italy/LOC',
      'University of Texas at Arlington/ORG',
      'Ministry of Defense of Russia/ORG',
      'Paul Tse/PER',
      'New Zealand/LOC',
      "Korean People's Army/ORG",
    ]);
  });

  it('types people by role nouns, given names and speech verbs; places by cities and head words', () => {
    const text =
      'English captain Harry Kane scored. Spokeswoman Sujata Raisinghani and Gloria met Wong Kwok-kin in ' +
      'Evanston near Fisht Stadium and Castlefrank Road. Okonkwo Adeyemi said no. The Toronto Star and the ' +
      'Homeland Security Departments reported it from the Google Science Fair. Image: Twitter';
    expect(typed(text)).toEqual([
      'Harry Kane/PER',
      'Sujata Raisinghani/PER',
      'Gloria/PER',
      'Wong Kwok-kin/PER',
      'Evanston/LOC',
      'Fisht Stadium/LOC',
      'Castlefrank Road/LOC',
      'Okonkwo Adeyemi/PER',
      'Toronto Star/ORG',
      'Homeland Security Departments/ORG',
      'Google Science Fair/MISC',
      'Twitter/ORG',
    ]);
  });

  it('types a country beside a match score as a team, and an organization a person is "of"', () => {
    const text =
      'Result: Belgium 3 – 0 Panama. Belgium faced Panama in Sochi. Nathan Law of Demosisto won in Russia.';
    expect(typed(text)).toEqual([
      'Belgium/ORG',
      'Panama/ORG',
      'Belgium/ORG',
      'Panama/ORG',
      'Sochi/LOC',
      'Nathan Law/PER',
      'Demosisto/ORG',
      'Russia/LOC',
    ]);
  });

  it('drops unit acronyms, post-nominals and lone cue words', () => {
    expect(typed('Police said Mark Tedeschi, QC, lost 15 IQ points at 15:11 GMT. University exhibits grew.')).toEqual([
      'Mark Tedeschi/PER',
    ]);
  });

  it('returns nothing for languages other than English (not supported yet)', () => {
    expect(extractEntities('Белые каски в Идлибе', 'ru', gazetteer)).toEqual([]);
    expect(extractEntities('', 'en', gazetteer)).toEqual([]);
  });
});
