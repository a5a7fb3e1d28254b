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
      'U.S./LOC',
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
    expect(entities.map((e) => e.text)).toEqual(['White Helmets', 'Idlib', 'Ministry of Defense of Russia', 'Russia', 'Al-Qaeda']);
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
      'Texas/LOC',
      'Arlington/LOC',
      'Ministry of Defense of Russia/ORG',
      'Russia/LOC',
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
      'Google/ORG',
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

describe('extractEntities: names inside names', () => {
  it('nests the person a name is named after, once the text names that person', () => {
    const text =
      'Ruth Okafor opened a gallery. The Ruth Okafor Foundation for the Arts paid for it, and the Okafor Sketches ' +
      'went on show at Lionel Station.';
    expect(typed(text)).toEqual([
      'Ruth Okafor/PER',
      'Ruth Okafor Foundation for the Arts/ORG',
      'Ruth Okafor/PER',
      // Typed a person by its shape alone, but it opens with a known surname: a thing named after her.
      'Okafor Sketches/MISC',
      'Okafor/PER',
      // A given name alone is no evidence of a person inside a name.
      'Lionel Station/LOC',
    ]);
  });

  it('nests places that locate an institution, but not a place heading the name or a newspaper title', () => {
    const text =
      'She studied at the University of Kansas and worked for the Municipality of Castelvetro, the Denver Police ' +
      'Department and Air Canada before flying to Mexico City. The Chicago Tribune and BBC News covered it.';
    expect(typed(text)).toEqual([
      'University of Kansas/ORG',
      'Kansas/LOC',
      // What an administrative unit is "of" is a place even when no list knows it.
      'Municipality of Castelvetro/ORG',
      'Castelvetro/LOC',
      'Denver Police Department/ORG',
      'Denver/LOC',
      'Air Canada/ORG',
      'Mexico City/LOC',
      'Mexico/LOC',
      'Chicago Tribune/ORG',
      'BBC News/ORG',
    ]);
  });

  it('nests on more than one level and keeps a settlement word with its place', () => {
    expect(typed('He moved to the Hong Kong Island district and met the Taipei City Council.')).toEqual([
      'Hong Kong Island/LOC',
      'Hong Kong/LOC',
      'Taipei City Council/ORG',
      'Taipei City/LOC',
      'Taipei/LOC',
    ]);
  });

  it('gives flat, non-overlapping mentions with nested: false', () => {
    const text = 'She studied at the University of Kansas in Lawrence, Kansas.';
    const flat = extractEntities(text, 'en', gazetteer, { nested: false });
    expect(flat.map((e) => `${e.text}/${e.type}`)).toEqual(['University of Kansas/ORG', 'Lawrence, Kansas/LOC']);
    for (let k = 1; k < flat.length; k++) expect(flat[k]!.start).toBeGreaterThanOrEqual(flat[k - 1]!.end);
    expect(typed(text)).toEqual(['University of Kansas/ORG', 'Kansas/LOC', 'Lawrence, Kansas/LOC', 'Kansas/LOC']);
  });
});

describe('extractEntities: spans', () => {
  it('joins a town and its region or country, but not an enumeration', () => {
    const text =
      'She grew up in Dayton, Ohio, and later moved to Kanata, Ontario. Belgium, Panama and Tunisia played. ' +
      'Texas, Ohio and Utah voted. Southeast Asia, Cambodia first.';
    expect(typed(text)).toEqual([
      'Dayton, Ohio/LOC',
      'Ohio/LOC',
      'Kanata, Ontario/LOC',
      'Ontario/LOC',
      'Belgium/LOC',
      'Panama/LOC',
      'Tunisia/LOC',
      'Texas/LOC',
      'Ohio/LOC',
      'Utah/LOC',
      'Southeast Asia/LOC',
      'Cambodia/LOC',
    ]);
  });

  it('splits a run where a title or a person name starts inside it, and drops a bare office', () => {
    const text =
      'Psychology student at Boston University Maria Lopez said it. US President Joe Biden and the German ' +
      'Ambassador spoke.';
    // "German" before the office is a demonym (MISC), no longer part of a person.
    expect(typed(text)).toEqual(['Boston University/ORG', 'Boston/LOC', 'Maria Lopez/PER', 'US/LOC', 'Joe Biden/PER', 'German/MISC']);
  });

  it('reads misread surnames after a given name or title, and a capitalized verb opening a name', () => {
    expect(typed('Professor Alan Sells and Mary To of the Liberal Party met Marian Sells. She wrote for Flying Tiger Magazine.')).toEqual([
      'Alan Sells/PER',
      'Mary To/PER',
      'Liberal Party/ORG',
      'Marian Sells/PER',
      'Flying Tiger Magazine/ORG',
    ]);
  });

  it('keeps a name before a hyphenated modifier, and joins a website to its domain', () => {
    expect(typed('The Kremlin-backed group wore Saudi-style robes, Example.com reported.')).toEqual([
      'Kremlin/ORG',
      'Example.com/ORG',
    ]);
  });

  it('drops roman numerals, the pronoun I, stances, currency codes and religious adjectives', () => {
    expect(typed('In part XIV of the report, I\'m told, Pro-Moscow protesters paid NZ$ 40 million. Saudi officials met Muslim leaders.')).toEqual([]);
  });
});

describe('extractEntities: typing', () => {
  it('types whatever stands beside a match score as a team', () => {
    expect(typed('Group stage: Korea Republic 2 – 1 Ghana.')).toEqual(['Korea Republic/ORG', 'Ghana/ORG']);
  });

  it('gives one name one type in a text, and surnames the type of the full name', () => {
    expect(typed("Tidal Voice's Anna Berg spoke. She later resigned from Tidal Voice.")).toEqual([
      'Tidal Voice/ORG',
      'Anna Berg/PER',
      'Tidal Voice/ORG',
    ]);
    expect(typed('Dries Okonjo scored twice. Later, Okonjo scored again. "It was close," said Okonjo.')).toEqual([
      'Dries Okonjo/PER',
      'Okonjo/PER',
      'Okonjo/PER',
    ]);
  });

  it('keeps a word of a longer name used mostly capitalized, ignoring identifiers, but not a common word', () => {
    const text =
      'The Church of Kestrovia sued. Fans of alt.fan.kestrovia said the kestrovia site was down, and members of ' +
      'Kestrovia refused. The Iodine Trust said iodine and more iodine helps; Iodine matters.';
    expect(typed(text)).toEqual(['Church of Kestrovia/ORG', 'Kestrovia/ORG', 'Iodine Trust/ORG']);
  });

  it('types operations and works as MISC, place heads and multilingual organization cues', () => {
    const text =
      'Operation Desert Sabre began. He starred in the 1972 film Silent Harbour near Lake Tana and the Grand Palace ' +
      'Hotel. Instituto Rubio and the Baltimore Sun reported it.';
    expect(typed(text)).toEqual([
      'Operation Desert Sabre/MISC',
      'Silent Harbour/MISC',
      'Lake Tana/LOC',
      'Grand Palace Hotel/LOC',
      'Instituto Rubio/ORG',
      'Baltimore Sun/ORG',
    ]);
  });
});
