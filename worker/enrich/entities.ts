/**
 * English named entities: wink-nlp proper-noun runs as candidate mentions, typed by the watchlist, a place
 * gazetteer (world-countries plus a city list), cue words, name shape and in-document coreference.
 * Scored on the GUM news gold by tests/worker/ner-gold.test.ts; stack.md §5b explains why not compromise.
 */
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import { createRequire } from 'node:module';
import type { Country } from 'world-countries';
import type { Actor, ActorType, Entity, EntityType } from '../../core/types.ts';
import { tokenize } from '../../core/query/tokenize.ts';

/** An entity mention; `actorId` is set when the mention names a watchlist actor (after normalization). */
export interface ExtractedEntity extends Entity {
  actorId?: string;
}

/** What the gazetteer knows about a normalized name. */
export interface GazetteerEntry {
  type: EntityType;
  actorId?: string;
}

/** Normalized name ("un security council") -> type (and actor). Build with {@link buildEntityGazetteer}. */
export type EntityGazetteer = ReadonlyMap<string, GazetteerEntry>;

const ACTOR_TYPE_TO_ENTITY: Readonly<Record<ActorType, EntityType>> = {
  person: 'PER',
  organization: 'ORG',
  group: 'ORG',
  media: 'ORG',
  place: 'LOC',
  other: 'MISC',
};

function nameKey(name: string): string {
  return tokenize(name).join(' ');
}

/** "white helmet" for "white helmets": lets a singular mention find a plural gazetteer name and back. */
function singularKey(key: string): string {
  return key.length > 4 && key.endsWith('s') && !key.endsWith('ss') ? key.slice(0, -1) : key;
}

/** Gazetteer from watchlist actors: every name and alias maps to the actor's type and id. */
export function buildEntityGazetteer(actors: readonly Actor[]): EntityGazetteer {
  const g = new Map<string, GazetteerEntry>();
  for (const actor of actors) {
    const entry: GazetteerEntry = { type: ACTOR_TYPE_TO_ENTITY[actor.type], actorId: actor.id };
    for (const name of [actor.name, ...actor.aliases]) {
      const key = nameKey(name);
      if (!key) continue;
      if (!g.has(key)) g.set(key, entry);
      if (!g.has(singularKey(key))) g.set(singularKey(key), entry);
    }
  }
  return g;
}

/*
 * Places beyond what world-countries carries: regions, US states, cities in the news, conflict geography.
 * Pipe-separated to stay compact; normalized on first use.
 */
const EXTRA_PLACES = `Afghanistan|Albania|Algeria|Angola|Argentina|Armenia|Australia|Austria|Azerbaijan|Bahrain|Bangladesh|
Belarus|Belgium|Bolivia|Bosnia|Brazil|Bulgaria|Burkina Faso|Cambodia|Cameroon|Canada|Chad|Chile|China|Colombia|Congo|
Croatia|Cuba|Cyprus|Czech Republic|Czechia|Denmark|Egypt|Eritrea|Estonia|Ethiopia|Finland|France|Georgia|Germany|
Ghana|Greece|Guatemala|Haiti|Hungary|Iceland|India|Indonesia|Iran|Iraq|Ireland|Israel|Italy|Japan|Jordan|Kazakhstan|
Kenya|Kosovo|Kuwait|Kyrgyzstan|Latvia|Lebanon|Libya|Lithuania|Luxembourg|Mali|Mexico|Moldova|Mongolia|Montenegro|
Morocco|Mozambique|Myanmar|Nepal|Netherlands|New Zealand|Niger|Nigeria|North Korea|North Macedonia|Norway|Oman|
Pakistan|Palestine|Panama|Peru|Philippines|Poland|Portugal|Qatar|Romania|Russia|Russian Federation|Rwanda|
Saudi Arabia|Senegal|Serbia|Singapore|Slovakia|Slovenia|Somalia|South Africa|South Korea|South Sudan|Spain|
Sri Lanka|Sudan|Sweden|Switzerland|Syria|Taiwan|Tajikistan|Tanzania|Thailand|Tunisia|Turkey|Turkiye|Türkiye|
Turkmenistan|Uganda|Ukraine|United Arab Emirates|UAE|United Kingdom|UK|Britain|Great Britain|England|Scotland|Wales|
United States|United States of America|USA|US|U.S.|America|Uruguay|Uzbekistan|Venezuela|Vietnam|Yemen|Zambia|
Zimbabwe|Europe|Asia|Africa|Middle East|Latin America|Balkans|Caucasus|Baltics|Scandinavia|Gulf|Arctic|
Kabul|Tirana|Algiers|Buenos Aires|Yerevan|Canberra|Vienna|Baku|Manama|Dhaka|Minsk|Brussels|Sarajevo|Brasilia|Sofia|
Ottawa|Santiago|Beijing|Bogota|Zagreb|Havana|Nicosia|Prague|Copenhagen|Cairo|Addis Ababa|Tallinn|Helsinki|Paris|
Tbilisi|Berlin|Athens|Budapest|New Delhi|Delhi|Jakarta|Tehran|Baghdad|Dublin|Jerusalem|Tel Aviv|Rome|Tokyo|Amman|
Astana|Nairobi|Pristina|Kuwait City|Bishkek|Riga|Beirut|Tripoli|Vilnius|Bamako|Mexico City|Chisinau|Rabat|Kathmandu|
Amsterdam|The Hague|Oslo|Muscat|Islamabad|Lima|Manila|Warsaw|Lisbon|Doha|Bucharest|Moscow|Riyadh|Belgrade|Seoul|
Pyongyang|Madrid|Stockholm|Bern|Geneva|Zurich|Damascus|Taipei|Dushanbe|Bangkok|Tunis|Ankara|Istanbul|Ashgabat|
Kampala|Kyiv|Kiev|Abu Dhabi|Dubai|London|Washington|Tashkent|Caracas|Hanoi|Sanaa|New York|Los Angeles|Chicago|
San Francisco|Shanghai|Hong Kong|Mumbai|Karachi|Lagos|Johannesburg|Cape Town|St Petersburg|Saint Petersburg|
Novosibirsk|Yekaterinburg|Kazan|Sochi|Sevastopol|Crimea|Donbas|Donbass|Donetsk|Luhansk|Lugansk|Kharkiv|Kharkov|
Odesa|Odessa|Mariupol|Kherson|Zaporizhzhia|Lviv|Dnipro|Bakhmut|Aleppo|Idlib|Homs|Hama|Raqqa|Deir ez-Zor|Douma|
Ghouta|Eastern Ghouta|Daraa|Latakia|Tartus|Saraqib|Khan Shaykhun|Afrin|Manbij|Kobani|Mosul|Basra|Erbil|Kirkuk|Fallujah|
Gaza|Gaza Strip|West Bank|Ramallah|Golan|Golan Heights|Sinai|Benghazi|Aden|Hodeidah|Kandahar|Herat|Mecca|Medina|
Chechnya|Grozny|Dagestan|Abkhazia|South Ossetia|Transnistria|Nagorno-Karabakh|Karabakh|Kashmir|Xinjiang|Tibet|Salisbury|
Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Hawaii|Idaho|Illinois|Indiana|
Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|
Nevada|New Hampshire|New Jersey|New Mexico|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|
South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|West Virginia|Wisconsin|Wyoming|Washington D.C.|
Washington DC|District of Columbia|Ontario|Quebec|British Columbia|Alberta|Toronto|Montreal|Vancouver|Sydney|Melbourne|
Brisbane|Perth|Auckland|Wellington|Boston|Philadelphia|Houston|Dallas|Atlanta|Miami|Seattle|Detroit|Denver|Phoenix|
San Diego|Las Vegas|Baltimore|New Orleans|Brooklyn|Manhattan|Queens|Bronx|Silicon Valley|Wuhan|Hubei|Guangzhou|Shenzhen|
Chongqing|Macau|Macao|Taipei|Osaka|Kyoto|Busan|Milan|Naples|Turin|Venice|Florence|Lombardy|Munich|Hamburg|Frankfurt|
Cologne|Barcelona|Valencia|Seville|Lyon|Marseille|Nice|Manchester|Birmingham|Liverpool|Glasgow|Edinburgh|Belfast|
Northern Ireland|Rotterdam|Antwerp|Krakow|Gdansk|St. Petersburg|Vladivostok|Murmansk|Kaliningrad|Volgograd|Rostov|
Samara|Omsk|Siberia|Urals|Karachi|Lahore|Kolkata|Chennai|Bangalore|Bengaluru|Hyderabad|Dhaka|Yangon|Ho Chi Minh City|
Kuala Lumpur|Sao Paulo|São Paulo|Rio de Janeiro|Lagos|Abuja|Kinshasa|Khartoum|Mogadishu|Alexandria|Jeddah|Tabriz|
Isfahan|Mashhad|Qom|Gulf of Mexico|Persian Gulf|Black Sea|Mediterranean|Red Sea|Baltic Sea|South China Sea|Pacific|
Atlantic|Indian Ocean|Strait of Hormuz|Korean Peninsula|Hong Kong Island|Kowloon|Antarctica|Oceania|North America|
South America|Central America|Southeast Asia|East Asia|Central Asia|South Asia|Western Europe|Eastern Europe|
Sub-Saharan Africa|North Africa|West Africa|East Africa|Horn of Africa|Sahel|Levant|Maghreb|Mainland China`;

/** Words that make a candidate an organization wherever they stand in it. */
const ORG_CUES = new Set(
  `ministry council party army agency organization organisation department committee forces force news times
  center centre institute university bank union commission court office service services corporation company
  group association foundation federation parliament assembly government police guard guards front brigade
  brigades movement network press post tribune journal television tv radio agency command navy airforce fund
  alliance coalition league board bureau authority administration embassy church club inc ltd llc corp`
    .split(/\s+/)
    .filter(Boolean),
);

/** Titles that precede a person's name; they are stripped from the entity text. */
const PERSON_TITLES = new Set(
  `president minister general mr mrs ms miss dr secretary prime major colonel lieutenant captain sergeant
  gen lt col capt sgt sen senator rep representative king queen prince princess pope chancellor ambassador
  spokesman spokeswoman spokesperson professor prof sir dame sheikh judge governor mayor admiral marshal
  commander chairman chairwoman deputy vice foreign defense defence interior`
    .split(/\s+/)
    .filter(Boolean),
);
// "foreign"/"defense"/"deputy"/"vice" only count as titles when a real title follows ("Foreign Minister").
const TITLE_MODIFIERS = new Set(['prime', 'deputy', 'vice', 'foreign', 'defense', 'defence', 'interior']);

const CALENDAR_WORDS = new Set(
  `january february march april may june july august september october november december jan feb mar apr jun jul
  aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thurs fri
  sat sun`
    .split(/\s+/)
    .filter(Boolean),
);

/** Lowercase words allowed between two proper nouns inside one name ("Ministry of Defense"). */
const NAME_ADPOSITIONS = new Set(['of', 'for', 'de', 'del', 'der', 'du', 'des', 'di', 'van', 'von']);


// world-countries is CommonJS whose typings declare an ES default export; require gives the array itself.
const countries = createRequire(import.meta.url)('world-countries') as readonly Country[];

/** Names of every country (common, official, alternative spellings) and capital, from world-countries (ODbL). */
function countryPlaceNames(): string[] {
  const names: string[] = [];
  for (const c of countries) {
    names.push(c.name.common, c.name.official, ...c.capital);
    // Two-letter codes (AL, BE, AS) are ordinary words; keep "USA", "UAE" and the spelled-out forms.
    for (const alt of c.altSpellings) if (alt.length >= 3) names.push(alt);
  }
  return names;
}

/** English demonyms ("Syrian", "Afghans"): MISC as in CoNLL, since they qualify rather than name a place. */
function demonyms(): string[] {
  const out: string[] = [];
  for (const c of countries) {
    const d = c.demonyms['eng'];
    if (!d) continue;
    for (const form of new Set([d.m, d.f])) {
      out.push(form);
      out.push(/(?:ese|ss|sh|ch|s)$/.test(form) ? form : `${form}s`);
    }
  }
  return out;
}

interface StaticGazetteer {
  places: Set<string>;
  demonyms: Set<string>;
}
let staticGazetteer: StaticGazetteer | undefined;
function builtIn(): StaticGazetteer {
  staticGazetteer ??= {
    places: new Set(
      [...countryPlaceNames(), ...EXTRA_PLACES.split('|')].map((p) => nameKey(p.trim())).filter(Boolean),
    ),
    demonyms: new Set([...demonyms(), 'European', 'Europeans', 'Arab', 'Arabs', 'Kurdish', 'Kurds', 'Western']
      .map((p) => nameKey(p))
      .filter(Boolean)),
  };
  return staticGazetteer;
}

type Nlp = ReturnType<typeof winkNLP>;
let nlpInstance: Nlp | undefined;

/**
 * The process's single winkNLP instance: a second instance on the same model silently breaks
 * custom entities (stack.md §3.8), and loading costs about 0.4 s. Only sentence splitting and POS run.
 */
function nlp(): Nlp {
  nlpInstance ??= winkNLP(model, ['sbd', 'pos']);
  return nlpInstance;
}

/** One word of the text, hyphenated parts already joined ("al-Nusra", "Yiu-chung"). */
interface Unit {
  value: string;
  /** Lowercase with trailing dots removed ("Mr." -> "mr"), for cue lookups. */
  lower: string;
  pos: string;
  start: number;
  end: number;
}

const SENTENCE_END = /[.!?:\n"“”«»‘’'(\[]\s*$/u;

function toUnits(text: string): Unit[] {
  const doc = nlp().readDoc(text);
  const its = nlp().its;
  const tokens = doc.tokens();
  const values = tokens.out(its.value);
  const tags = tokens.out(its.pos);
  const spaces = tokens.out(its.precedingSpaces);

  const units: Unit[] = [];
  let cursor = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] ?? '';
    // wink keeps token values verbatim, so searching forward from the previous token recovers exact offsets.
    const at = text.indexOf(value, cursor);
    if (at < 0 || value.trim() === '') continue;
    cursor = at + value.length;
    const pos = tags[i] ?? 'X';
    const prev = units[units.length - 1];
    const next = values[i + 1];
    // Join "al" "-" "Nusra" and "Yiu" "-" "chung" written without spaces into one unit.
    if (value === '-' && prev && spaces[i] === '' && next !== undefined && spaces[i + 1] === '' && prev.end === at) {
      const nextAt = text.indexOf(next, cursor);
      if (nextAt === cursor && /^\p{L}/u.test(next)) {
        const nextPos = tags[i + 1] ?? 'X';
        // A name stays a name across the hyphen ("Yiu-chung"); "pro-Beijing" becomes one when its tail is.
        const joinedPos = nextPos === 'PROPN' || prev.pos === 'PROPN' ? 'PROPN' : nextPos;
        prev.end = nextAt + next.length;
        prev.value = text.slice(prev.start, prev.end);
        prev.lower = prev.value.toLowerCase();
        prev.pos = joinedPos;
        cursor = prev.end;
        i++;
        continue;
      }
    }
    units.push({ value, lower: value.toLowerCase().replace(/\.+$/, ''), pos, start: at, end: at + value.length });
  }
  return units;
}

const UPPER_START = /^\p{Lu}|^(?:al|el|ad|an|ar|as|ash|at|az|bin|ibn|abu|de|di|da|van|von)-\p{Lu}/u;
const ACRONYM = /^(?:\p{Lu}[\p{Lu}\d&]{1,5}|(?:\p{Lu}\.){2,4})$/u;
const LOWER_START = /^\p{Ll}/u;

function sentenceInitial(text: string, u: Unit): boolean {
  return u.start === 0 || SENTENCE_END.test(text.slice(Math.max(0, u.start - 3), u.start));
}

/**
 * A unit that can be part of a name: a capitalized proper noun, an acronym, or a capitalized common word inside
 * a name ("the Democratic Party", "Church of Scientology") when it does not merely open a sentence.
 */
function isNamePart(text: string, u: Unit | undefined): boolean {
  if (u === undefined || !UPPER_START.test(u.value) || CALENDAR_WORDS.has(u.lower)) return false;
  if (u.pos === 'PROPN' || ACRONYM.test(u.value)) return true;
  return (u.pos === 'NOUN' || u.pos === 'ADJ') && (ORG_CUES.has(u.lower) || !sentenceInitial(text, u));
}

function isAnchor(u: Unit): boolean {
  return u.pos === 'PROPN' || ACRONYM.test(u.value);
}

/** Name-part runs that contain a proper noun or acronym, allowing one adposition between two names. */
function candidateRuns(text: string, units: readonly Unit[]): Array<{ from: number; to: number }> {
  const runs: Array<{ from: number; to: number }> = [];
  let i = 0;
  while (i < units.length) {
    if (!isNamePart(text, units[i])) {
      i++;
      continue;
    }
    const from = i;
    let to = i;
    while (true) {
      const a = units[to + 1];
      const gap = a === undefined ? '' : text.slice(units[to]?.end ?? 0, a.start);
      const gapOk = a !== undefined && (gap === ' ' || gap === '\u00a0');
      if (gapOk && isNamePart(text, a)) {
        to++;
      } else if (gapOk && a && NAME_ADPOSITIONS.has(a.value) && isNamePart(text, units[to + 2])) {
        to += 2;
      } else {
        break;
      }
    }
    // Capitalized common words make a name only together with a proper noun ("Democratic Party").
    if (units.slice(from, to + 1).some(isAnchor)) runs.push({ from, to });
    i = to + 1;
  }
  return runs;
}

function isTitleAt(units: readonly Unit[], k: number, to: number): boolean {
  const u = units[k];
  if (!u || !PERSON_TITLES.has(u.lower)) return false;
  if (!TITLE_MODIFIERS.has(u.lower)) return true;
  // A modifier is a title only when it leads into one ("Prime Minister", "Foreign Minister").
  return k < to && isTitleAt(units, k + 1, to);
}

function lookup(key: string, gazetteer: EntityGazetteer): GazetteerEntry | null {
  const bare = key.replace(/^the /, '');
  const fromWatchlist = gazetteer.get(key) ?? gazetteer.get(bare) ?? gazetteer.get(singularKey(bare));
  if (fromWatchlist) return fromWatchlist;
  const { places, demonyms } = builtIn();
  if (places.has(bare)) return { type: 'LOC' };
  if (demonyms.has(bare)) return { type: 'MISC' };
  return null;
}

/** A plain personal name: two or three capitalized words, no digits, acronyms or adpositions. */
function looksLikePersonName(words: readonly Unit[]): boolean {
  return (
    words.length >= 2 &&
    words.length <= 4 &&
    words.every((u) => u.pos === 'PROPN' && /^\p{Lu}[\p{Ll}'’.-]*[\p{Ll}.]$|^\p{Lu}\.$/u.test(u.value) && !ACRONYM.test(u.value))
  );
}

interface Candidate {
  entity: ExtractedEntity;
  words: Unit[];
  decided: boolean;
  /** Typed by name shape alone: too weak to type other mentions. */
  guessed: boolean;
}

/**
 * Named entities in `text`, in order of appearance, one per mention. `start`/`end` are UTF-16 offsets such that
 * `text.slice(start, end) === entity.text`. Titles ("President"), a leading "the" and a trailing "'s" are
 * never part of the span; month and weekday names are never entities.
 *
 * Typing, first rule that applies: watchlist name or alias (also sets `actorId`), place gazetteer (LOC), demonym
 * (MISC), a person title before the name (PER), an organization cue word inside it (ORG), an acronym (ORG),
 * a plain 2–4 word personal name (PER); otherwise a single word repeating part of a name already typed in this
 * text takes that type ("Warhol" after "Andy Warhol"), and the rest is MISC.
 *
 * Only English is supported (the wink model is English-only); other languages return [].
 */
export function extractEntities(text: string, language: string, gazetteer: EntityGazetteer): ExtractedEntity[] {
  if (language !== 'en' || text.trim() === '') return [];
  const units = toUnits(text);
  const lowercaseWords = new Set<string>();
  for (const u of units) if (LOWER_START.test(u.value)) lowercaseWords.add(u.value);
  const candidates: Candidate[] = [];

  for (const run of candidateRuns(text, units)) {
    let { from } = run;
    const { to } = run;
    const before = units[from - 1];
    let person = before !== undefined && PERSON_TITLES.has(before.lower) && !TITLE_MODIFIERS.has(before.lower);
    // Strip leading titles ("Major General Yuri Borenkov" -> "Yuri Borenkov").
    while (from <= to && isTitleAt(units, from, to)) {
      let next = from + 1;
      while (next <= to && isTitleAt(units, next, to)) next++;
      const adposition = next <= to ? units[next] : undefined;
      if (adposition && NAME_ADPOSITIONS.has(adposition.value)) {
        // "Secretary of State Mike Pompeo": the title runs through its object. "President of France": the
        // object is the name, and it is not a person.
        if (next + 2 <= to) {
          person = true;
          from = next + 2;
        } else {
          person = false;
          from = next + 1;
        }
        break;
      }
      if (next <= to) person = true;
      from = next;
    }
    // "US President Barack Obama": a title inside the run starts the person's name after it.
    for (let k = to - 1; k > from; k--) {
      const next = units[k + 1];
      if (isTitleAt(units, k, to) && next && !NAME_ADPOSITIONS.has(next.value) && !ORG_CUES.has(next.lower)) {
        person = true;
        from = k + 1;
        break;
      }
    }
    if (from > to) continue;
    const first = units[from];
    const last = units[to];
    if (!first || !last) continue;

    const surface = text.slice(first.start, last.end);
    const key = nameKey(surface);
    if (!key) continue;
    const words = units.slice(from, to + 1);
    const entity: ExtractedEntity = { text: surface, type: 'MISC', start: first.start, end: last.end };
    let decided = true;
    const known = lookup(key, gazetteer);
    // A demonym before a common word is an adjective ("Afghan team"), not a mention.
    if (known && known.type === 'MISC' && !known.actorId && LOWER_START.test(units[to + 1]?.value ?? '')) continue;
    if (known) {
      entity.type = known.type;
      if (known.actorId) entity.actorId = known.actorId;
    } else if (person && words.every((u) => !ORG_CUES.has(u.lower))) entity.type = 'PER';
    else if (words.some((u) => ORG_CUES.has(u.lower))) entity.type = 'ORG';
    else if (words.length === 1 && ACRONYM.test(first.value)) entity.type = 'ORG';
    else if (looksLikePersonName(words)) entity.type = 'PER';
    else decided = false;
    const guessed = decided && !known && !person && entity.type === 'PER';
    // A lone capitalized common word ("Preparation" opening a headline) appears lowercase elsewhere.
    if (!decided && from === to && lowercaseWords.has(first.value.toLowerCase())) continue;
    candidates.push({ entity, words, decided, guessed });
  }

  // In-document coreference: "Warhol" after "Andy Warhol" is the same person.
  const partType = new Map<string, EntityType>();
  for (const c of candidates) {
    if (!c.decided || c.words.length < 2 || (c.guessed && c.words.length > 2) || c.entity.type === 'MISC' || c.entity.type === 'LOC') continue;
    for (const w of c.words) if (!partType.has(w.lower) && !ORG_CUES.has(w.lower)) partType.set(w.lower, c.entity.type);
  }
  for (const c of candidates) {
    if (c.decided || c.words.length !== 1) continue;
    const t = partType.get(c.words[0]!.lower);
    if (t) c.entity.type = t;
  }
  return candidates.map((c) => c.entity);
}
