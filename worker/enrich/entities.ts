/**
 * English named entities: wink-nlp proper-noun (PROPN) runs as candidate mentions, typed by the watchlist,
 * a built-in place list and cue words (stack.md §5b: this beats wink's untyped built-ins and compromise on recall).
 */
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import type { Actor, ActorType, Entity, EntityType } from '../../core/types.ts';
import { tokenize } from '../../core/query/tokenize.ts';

/** Normalized name ("un security council") -> entity type. Build with {@link buildEntityGazetteer}. */
export type EntityGazetteer = ReadonlyMap<string, EntityType>;

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

/** Gazetteer from watchlist actors: every name and alias maps to the actor's type. */
export function buildEntityGazetteer(actors: readonly Actor[]): EntityGazetteer {
  const g = new Map<string, EntityType>();
  for (const actor of actors) {
    const type = ACTOR_TYPE_TO_ENTITY[actor.type];
    for (const name of [actor.name, ...actor.aliases]) {
      const key = nameKey(name);
      if (!key) continue;
      g.set(key, type);
      if (!g.has(singularKey(key))) g.set(singularKey(key), type);
    }
  }
  return g;
}

/*
 * Built-in places: countries, capitals, large or much-reported cities and regions, and demonyms (a demonym
 * alone, "Syrian", is a reference to the place). Pipe-separated to stay compact; normalized on first use.
 */
const PLACES = `Afghanistan|Albania|Algeria|Angola|Argentina|Armenia|Australia|Austria|Azerbaijan|Bahrain|Bangladesh|
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
Afghan|Albanian|Algerian|American|Argentine|Armenian|Australian|Austrian|Azerbaijani|Belarusian|Belgian|Brazilian|
British|Bulgarian|Canadian|Chilean|Chinese|Colombian|Croatian|Cuban|Czech|Danish|Dutch|Egyptian|English|Estonian|
Ethiopian|European|Finnish|French|Georgian|German|Greek|Hungarian|Indian|Indonesian|Iranian|Iraqi|Irish|Israeli|
Italian|Japanese|Jordanian|Kazakh|Kenyan|Korean|Kurdish|Kuwaiti|Latvian|Lebanese|Libyan|Lithuanian|Mexican|Moldovan|
Moroccan|Nigerian|Norwegian|Pakistani|Palestinian|Polish|Portuguese|Qatari|Romanian|Russian|Saudi|Scottish|Serbian|
Slovak|Somali|Spanish|Sudanese|Swedish|Swiss|Syrian|Turkish|Ukrainian|Venezuelan|Vietnamese|Yemeni|Emirati|Welsh`;

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

let placeSet: Set<string> | undefined;
function places(): Set<string> {
  placeSet ??= new Set(
    PLACES.split('|')
      .map((p) => nameKey(p.trim()))
      .filter(Boolean),
  );
  return placeSet;
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

/** One word of the text, hyphenated parts already joined ("al-Nusra"). */
interface Unit {
  /** Original text of the unit. */
  value: string;
  /** Lowercase with trailing dots removed ("Mr." -> "mr"), for cue lookups. */
  lower: string;
  pos: string;
  start: number;
  end: number;
}

function toUnits(text: string): Unit[] {
  const doc = nlp().readDoc(text);
  const its = nlp().its;
  const values = doc.tokens().out(its.value);
  const tags = doc.tokens().out(its.pos);
  const spaces = doc.tokens().out(its.precedingSpaces);

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
    // Join "al" "-" "Nusra" written without spaces into one unit: a name, if its last part is one.
    if (value === '-' && prev && spaces[i] === '' && next !== undefined && spaces[i + 1] === '' && prev.end === at) {
      const nextAt = text.indexOf(next, cursor);
      if (nextAt === cursor && /^\p{L}/u.test(next)) {
        const nextPos = tags[i + 1] ?? 'X';
        const joinedPos = nextPos === 'PROPN' || (prev.pos === 'PROPN' && /^\p{Lu}/u.test(next)) ? 'PROPN' : nextPos;
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

function isName(u: Unit | undefined): boolean {
  return u !== undefined && u.pos === 'PROPN' && /^\p{Lu}|^\p{L}+-\p{Lu}/u.test(u.value) && !CALENDAR_WORDS.has(u.lower);
}

/** PROPN runs, allowing one lowercase adposition between two names ("Center for Reconciliation"). */
function candidateRuns(text: string, units: readonly Unit[]): Array<{ from: number; to: number }> {
  const runs: Array<{ from: number; to: number }> = [];
  let i = 0;
  while (i < units.length) {
    if (!isName(units[i])) {
      i++;
      continue;
    }
    const from = i;
    let to = i;
    while (true) {
      const a = units[to + 1];
      const gap = a === undefined ? '' : text.slice(units[to]?.end ?? 0, a.start);
      const gapOk = a !== undefined && (gap === ' ' || gap === '\u00a0');
      if (gapOk && isName(a)) {
        to++;
      } else if (gapOk && a && NAME_ADPOSITIONS.has(a.value) && isName(units[to + 2])) {
        to += 2;
      } else {
        break;
      }
    }
    runs.push({ from, to });
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

function typeByGazetteers(key: string, gazetteer: EntityGazetteer): EntityType | null {
  const bare = key.replace(/^the /, '');
  const fromWatchlist = gazetteer.get(key) ?? gazetteer.get(bare) ?? gazetteer.get(singularKey(bare));
  if (fromWatchlist) return fromWatchlist;
  return places().has(key) ? 'LOC' : null;
}

/**
 * Named entities in `text`, in order of appearance, one per mention. `start`/`end` are UTF-16 offsets such that
 * `text.slice(start, end) === entity.text`.
 *
 * Only English is supported for now (the wink model is English-only); other languages return [] until a
 * multilingual model is chosen. Month and weekday names are never entities.
 */
export function extractEntities(text: string, language: string, gazetteer: EntityGazetteer): Entity[] {
  if (language !== 'en' || text.trim() === '') return [];
  const units = toUnits(text);
  const lowercaseWords = new Set(units.filter((u) => /^\p{Ll}/u.test(u.value)).map((u) => u.value));
  const out: Entity[] = [];

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
    if (from > to) continue;
    const first = units[from];
    const last = units[to];
    if (!first || !last) continue;

    const surface = text.slice(first.start, last.end);
    const key = nameKey(surface);
    if (!key) continue;
    let type: EntityType | null = typeByGazetteers(key, gazetteer);
    if (!type) {
      const words = units.slice(from, to + 1);
      if (words.some((u) => ORG_CUES.has(u.lower))) type = 'ORG';
      else if (person && words.every((u) => !ORG_CUES.has(u.lower))) type = 'PER';
      else type = 'MISC';
    }
    // A lone capitalized common word ("Preparation" opening a headline) appears lowercase elsewhere.
    if (type === 'MISC' && from === to && lowercaseWords.has(first.value.toLowerCase())) continue;
    out.push({ text: surface, type, start: first.start, end: last.end });
  }
  return out;
}
