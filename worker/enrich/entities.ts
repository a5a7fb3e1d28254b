/**
 * English named entities: wink-nlp proper-noun runs as candidate mentions, typed by the watchlist, the built-in
 * gazetteers of ner-gazetteer.ts (places, cities, given names, organizations), cue words, context and in-document
 * coreference. Scored on the GUM news gold by tests/worker/ner-gold.test.ts; stack.md §5b explains why not compromise.
 */
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import type { Actor, ActorType, Entity, EntityType } from '../../core/types.ts';
import {
  builtInGazetteer,
  CALENDAR_WORDS,
  CAPTION_WORDS,
  HEADED_ADPOSITIONS,
  AT_HEADS,
  LOC_HEADS,
  LOC_TAILS,
  MISC_HEADS,
  MISC_TAILS,
  NAME_ADPOSITIONS,
  nameKey,
  OF_HEADS,
  ORG_CUES,
  ORG_TAILS,
  PERSON_TITLES,
  ROLE_NOUNS,
  SPEECH_VERBS,
  TITLE_MODIFIERS,
  WORK_NOUNS,
} from './ner-gazetteer.ts';
import { nestedMentions, type NestedLexicon } from './nested-entities.ts';

/** An entity mention; `actorId` is set when the mention names a watchlist actor (after normalization). */
export interface ExtractedEntity extends Entity {
  actorId?: string;
}

/** How {@link extractEntities} reports mentions. */
export interface ExtractOptions {
  /**
   * Also emit the names nested in a name ("Andy Warhol" in "Andy Warhol Foundation"); see nested-entities.ts for
   * why the product keeps them. False gives flat, non-overlapping mentions.
   * @defaultValue true
   */
  nested?: boolean;
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

type Nlp = ReturnType<typeof winkNLP>;
let nlpInstance: Nlp | undefined;

/**
 * The process's single winkNLP instance: a second instance on the same model silently breaks
 * custom entities (stack.md §3.8), and loading costs about 0.4 s. Only POS tagging runs: sentence boundaries come
 * from punctuation (sentenceInitial), and wink's own sbd changed no GUM score while costing ~10 % of the time.
 */
function nlp(): Nlp {
  nlpInstance ??= winkNLP(model, ['pos']);
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

const STANCE_PREFIX = /^(?:pro|anti)-/iu;
/** Top-level domains that make a name a website ("CBC.ca", "Amazon.com"). */
const DOMAIN_TLDS = new Set(['com', 'org', 'net', 'ca', 'uk', 'au', 'nz', 'in', 'io', 'gov', 'edu', 'info', 'news', 'tv']);
const WEBSITE = new RegExp(`^\\p{Lu}[\\p{L}\\d-]*\\.(?:${[...DOMAIN_TLDS].join('|')})$`, 'u');
/** True when the token is part of an identifier: a URL, domain, newsgroup, hashtag or handle. */
function inIdentifier(text: string, start: number, end: number): boolean {
  const before = text.charCodeAt(start - 1);
  // . / @ #
  if (before === 46 || before === 47 || before === 64 || before === 35) return true;
  const after = text.charCodeAt(end);
  return (after === 46 || after === 47 || after === 64) && /\w/u.test(text.charAt(end + 1));
}
/** Suffixes after a hyphen that make the name before them a modifier ("Saudi-led", "US-based", "Warhol-like"). */
const HYPHEN_MODIFIERS = new Set(
  `like style esque based born led backed funded owned run controlled held occupied linked allied aligned affiliated
  sponsored made bound friendly inspired era type`.split(/\s+/).filter(Boolean),
);
const SENTENCE_END = /[.!?:;\n"“”«»‘’'(\[—–]\s*$/u;
/** Possessors that stay inside a name ("Korean People's Army", "New People's Party"). */
const NAME_POSSESSORS = new Set(['people', 'workers', 'women', 'children', 'veterans', 'peoples']);

/** Lowercase, trailing dots removed ("Mr." -> "mr"); skips the work for the common all-lowercase token. */
function lowerOf(value: string): string {
  const c = value.charCodeAt(0);
  const lower = c >= 97 && c <= 122 && value.charCodeAt(value.length - 1) !== 46 ? value : value.toLowerCase();
  return lower.charCodeAt(lower.length - 1) === 46 ? lower.replace(/\.+$/, '') : lower;
}

function startsLowercase(value: string): boolean {
  const c = value.charCodeAt(0);
  if (c < 128) return c >= 97 && c <= 122;
  return LOWER_START.test(value);
}

function toUnits(text: string, lowercaseWords: Set<string>): Unit[] {
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
    if (at < 0 || (value.length === 0 || (value.charCodeAt(0) <= 32 && value.trim() === ''))) continue;
    cursor = at + value.length;
    const pos = tags[i] ?? 'X';
    const prev = units[units.length - 1];
    const next = values[i + 1];
    // Join "al" "-" "Nusra" and "Yiu" "-" "chung" written without spaces into one unit.
    if (value === '-' && prev && spaces[i] === '' && next !== undefined && spaces[i + 1] === '' && prev.end === at &&
      // "Kremlin-backed", "Warhol-like": the name before a hyphenated modifier suffix stands alone.
      !(HYPHEN_MODIFIERS.has(next.toLowerCase()) && !startsLowercase(prev.value))) {
      const nextAt = text.indexOf(next, cursor);
      if (nextAt === cursor && /^\p{L}/u.test(next)) {
        const nextPos = tags[i + 1] ?? 'X';
        // A name stays a name across the hyphen ("Yiu-chung"); "pro-Beijing" becomes one when its tail is.
        const joinedPos = nextPos === 'PROPN' || prev.pos === 'PROPN' ? 'PROPN' : nextPos;
        prev.end = nextAt + next.length;
        prev.value = text.slice(prev.start, prev.end);
        prev.lower = prev.value.toLowerCase();
        if (startsLowercase(prev.value)) lowercaseWords.add(prev.lower);
        prev.pos = joinedPos;
        cursor = prev.end;
        i++;
        continue;
      }
    }
    // "CBC" "." "ca": a website named by its domain is one name.
    if (value === '.' && prev && prev.end === at && /^\p{Lu}/u.test(prev.value) && next !== undefined && spaces[i + 1] === '' &&
      DOMAIN_TLDS.has(next) && text.startsWith(next, at + 1) && !/^[\p{L}\d]/u.test(text.charAt(at + 1 + next.length))) {
      prev.end = at + 1 + next.length;
      prev.value = text.slice(prev.start, prev.end);
      prev.lower = prev.value.toLowerCase();
      prev.pos = 'PROPN';
      cursor = prev.end;
      i++;
      continue;
    }
    // "People" "'s" before another name word is one word of the name.
    if ((value === "'s" || value === '’s') && prev && prev.end === at && NAME_POSSESSORS.has(prev.lower)) {
      if (next !== undefined && /^\p{Lu}/u.test(next) && spaces[i + 1] !== '') {
        prev.end = at + value.length;
        prev.value = text.slice(prev.start, prev.end);
        prev.pos = 'PROPN';
        continue;
      }
    }
    const lower = lowerOf(value);
    // "alt.religion.scientology", "#istandwithahmed": identifiers, not evidence that a word is common.
    if (startsLowercase(value) && !inIdentifier(text, at, at + value.length)) lowercaseWords.add(lower);
    units.push({ value, lower, pos, start: at, end: at + value.length });
  }
  return units;
}

const UPPER_START = /^\p{Lu}|^(?:al|el|ad|an|ar|as|ash|at|az|bin|ibn|abu|de|di|da|van|von)-\p{Lu}/u;
const ACRONYM = /^(?:\p{Lu}[\p{Lu}\d&]{1,5}|(?:\p{Lu}\.){2,4})$/u;
const LOWER_START = /^\p{Ll}/u;
/** "Wong Kwok-kin", "Kim Min-Woo": a Chinese or Korean name, surname first and a hyphenated given name. */
const HYPHENATED_GIVEN_NAME = /^\p{Lu}\p{Ll}+-\p{L}\p{Ll}+$/u;
/** Acronyms that are not names: units, time zones, degrees and post-nominals ("Mark Tedeschi, QC"). */
const NON_NAME_ACRONYMS = new Set(
  `iq gmt utc est pst cet vip ceo cfo cto coo phd md dna rna gdp hiv aids ok am pm bc ad id pc usb faq pdf html url
  gps sms pr qc sc kc mp mbe obe cbe jr sr tv ii iii iv`
    .split(/\s+/)
    .filter(Boolean),
);
/** An organization cue word, also in the plural ("Homeland Security Departments"). */
function isOrgCue(lower: string): boolean {
  return ORG_CUES.has(lower) || (lower.length > 3 && lower.endsWith('s') && ORG_CUES.has(lower.slice(0, -1)));
}

/** Words that head or end names whatever wink's tag for them ("Sydney Morning Herald", "Saratoga Springs"). */
function isNameHeadWord(lower: string): boolean {
  return isOrgCue(lower) || ORG_TAILS.has(lower) || LOC_TAILS.has(lower) || MISC_TAILS.has(lower);
}

const SCORE_AFTER = /^\s+\d{1,2}\s*[-–—]\s*\d{1,2}\b/u;
const SCORE_BEFORE = /\b\d{1,2}\s*[-–—]\s*\d{1,2}\s+$/u;

function sentenceInitial(text: string, u: Unit): boolean {
  return u.start === 0 || SENTENCE_END.test(text.slice(Math.max(0, u.start - 3), u.start));
}

/**
 * A unit that can be part of a name: a capitalized proper noun, an acronym, or a capitalized common word inside
 * a name ("the Democratic Party", "Church of Scientology") when it does not merely open a sentence.
 */
function isNamePart(text: string, u: Unit | undefined): boolean {
  if (u === undefined || !UPPER_START.test(u.value) || CALENDAR_WORDS.has(u.lower)) return false;
  // "Pro-Beijing", "Anti-Trump": a stance, an adjective.
  const c = u.value.charCodeAt(0);
  if ((c === 80 || c === 65) && STANCE_PREFIX.test(u.value)) return false;
  // "Image: Twitter" — a caption label, not the end of the name before it.
  if (CAPTION_WORDS.has(u.lower) && text.charCodeAt(u.end) === 58) return false;
  if (u.pos === 'PROPN' || ACRONYM.test(u.value)) return true;
  if (u.pos === 'NOUN' || u.pos === 'ADJ') return isOrgCue(u.lower) || !sentenceInitial(text, u);
  return isNameHeadWord(u.lower) && !sentenceInitial(text, u);
}

/** A capitalized word the tagger read as a verb, mid-sentence and never written lowercase in the text. */
function isCapitalizedVerb(ctx: Context, u: Unit | undefined): boolean {
  return u !== undefined && u.pos === 'VERB' && /^\p{Lu}\p{Ll}/u.test(u.value) && !sentenceInitial(ctx.text, u) && !ctx.lowercaseWords.has(u.lower);
}

/** "Rolling Stone": such a verb opens a name when a name word follows it. */
function isCapitalizedVerbInName(ctx: Context, i: number): boolean {
  const next = ctx.units[i + 1];
  return isCapitalizedVerb(ctx, ctx.units[i]) && isNamePart(ctx.text, next) && spaceBetween(ctx.text, ctx.units[i], next);
}

/**
 * A surname the tagger misread, after a lone given name or a title: a capitalized verb ("John Burrows", "Professor
 * Burrows"), or a short capitalized function word that ends the name ("James To of the Democratic Party").
 */
function isSurnameAfter(ctx: Context, from: number, to: number): boolean {
  const { units, text } = ctx;
  const name = units[to]!;
  const a = units[to + 1];
  const lead = isPlainTitle(name) || (ctx.givenNames.has(name.lower) && (from === to || isPlainTitle(units[to - 1])));
  if (!lead || !a || sentenceInitial(text, a)) return false;
  if (isCapitalizedVerb(ctx, a)) return true;
  const after = units[to + 2];
  return ctx.givenNames.has(name.lower) && /^\p{Lu}\p{Ll}{1,2}$/u.test(a.value) && FUNCTION_POS.has(a.pos) &&
    (after === undefined || !/^\p{Lu}/u.test(after.value));
}

/** A title that stands alone before a name ("Professor", not "Prime"). */
function isPlainTitle(u: Unit | undefined): boolean {
  return u !== undefined && PERSON_TITLES.has(u.lower) && !TITLE_MODIFIERS.has(u.lower);
}

const FUNCTION_POS = new Set(['PART', 'ADP', 'CCONJ', 'SCONJ', 'DET', 'PRON', 'ADV', 'AUX']);

function isAnchor(u: Unit): boolean {
  return u.pos === 'PROPN' || ACRONYM.test(u.value);
}

/** True when the words can govern an "of"/"for" phrase inside a name ("Ministry", "University", "Secretary"). */
function canHeadOf(units: readonly Unit[], from: number, to: number, adposition: string): boolean {
  for (let k = from; k <= to; k++) {
    const lower = units[k]?.lower ?? '';
    if (adposition === 'at') {
      if (AT_HEADS.has(lower)) return true;
      continue;
    }
    if (OF_HEADS.has(lower)) return true;
    // "Secretary of State", "President of France" — but not "General Yuri Borenkov of the Syrian Arab Army".
    if (k === to && PERSON_TITLES.has(lower) && !TITLE_MODIFIERS.has(lower)) return true;
  }
  return false;
}

function spaceBetween(text: string, a: Unit | undefined, b: Unit | undefined): boolean {
  if (!a || !b) return false;
  const gap = text.slice(a.end, b.start);
  return gap === ' ' || gap === '\u00a0';
}

interface Context {
  text: string;
  units: readonly Unit[];
  /** Every lowercase-initial word of the text: a capitalized word also seen lowercase is a common word. */
  lowercaseWords: ReadonlySet<string>;
  givenNames: ReadonlySet<string>;
  /** Per word, mid-sentence capitalized minus lowercase occurrences (see mostlyCapitalized). */
  capitalization?: Map<string, number>;
}

/**
 * Name-part runs that contain a proper noun or acronym. Adpositions join two names only after a word that heads
 * such a phrase ("Ministry of Defense"; not "Ann Chiang of DAB"), particles always ("Carlo De Benedetti"), and "&"
 * always ("Mary & Leigh Block"). A sentence-initial common word is cut off the front ("Nonpartisan Paul Tse").
 */
function candidateRuns(ctx: Context): Array<{ from: number; to: number }> {
  const { text, units } = ctx;
  const runs: Array<{ from: number; to: number }> = [];
  let i = 0;
  while (i < units.length) {
    if (!isNamePart(text, units[i]) && (units[i]!.pos !== 'VERB' || !isCapitalizedVerbInName(ctx, i))) {
      i++;
      continue;
    }
    let from = i;
    let to = i;
    while (true) {
      const a = units[to + 1];
      if (!a || !spaceBetween(text, units[to], a)) break;
      if (isNamePart(text, a) || isSurnameAfter(ctx, from, to)) {
        to++;
        continue;
      }
      const b = units[to + 2];
      if (!spaceBetween(text, a, b)) break;
      if (a.value === '&' && isNamePart(text, b)) {
        to += 2;
      } else if (NAME_ADPOSITIONS.has(a.value) && (!HEADED_ADPOSITIONS.has(a.value) || canHeadOf(units, from, to, a.value))) {
        if (isNamePart(text, b)) to += 2;
        else if (HEADED_ADPOSITIONS.has(a.value) && b?.value === 'the' && spaceBetween(text, b, units[to + 3]) && isNamePart(text, units[to + 3])) to += 3;
        else break;
      } else {
        break;
      }
    }
    i = to + 1;
    const first = units[from];
    if (first && from < to && sentenceInitial(text, first) && isNamePart(text, units[from + 1])) {
      const common = first.pos !== 'PROPN' || ctx.lowercaseWords.has(first.lower);
      if (common && !ctx.givenNames.has(first.lower) && !isNameHeadWord(first.lower) && !ACRONYM.test(first.value)) {
        // "New Zealand", "South Korea", "Rolling Stone Magazine": keep the word when the name is known with it.
        const withFirst = nameKey(text.slice(first.start, units[Math.min(to, from + 1)]!.end));
        if (!isKnownName(withFirst) && !isKnownName(nameKey(text.slice(first.start, units[to]!.end)))) from++;
      }
    }
    // Capitalized common words make a name only together with a proper noun ("Democratic Party").
    if (units.slice(from, to + 1).some(isAnchor)) runs.push({ from, to });
  }
  return runs;
}

const CURRENCY_AFTER = /^\s?[$€£¥]/u;
const ROMAN_NUMERAL = /^(?=[MDCLXVI]{2,}$)M*(?:C[MD]|D?C{0,3})(?:X[CL]|L?X{0,3})(?:I[XV]|V?I{0,3})$/u;

/** Speech verbs that stand before the speaker in inverted attribution (", said Hahn"). */
const INVERTED_SPEECH = new Set(['said', 'says', 'added', 'wrote', 'told']);

/** Offices that end a run naming the office rather than a person ("Afghan Ambassador"). */
const OFFICE_TITLES = new Set(
  `president minister secretary ambassador chancellor spokesman spokeswoman spokesperson governor mayor senator
  chairman chairwoman commander`.split(/\s+/).filter(Boolean),
);

/**
 * Where a person's name (two or three proper nouns opening with a given name) starts inside the run, when the words
 * before it are a known place or organization, or end in an organization or place head word; else -1.
 */
function personSuffixAt(ctx: Context, from: number, to: number, gazetteer: EntityGazetteer): number {
  const { units, text } = ctx;
  for (let at = Math.max(from + 1, to - 2); at <= to - 1; at++) {
    const person = units.slice(at, to + 1);
    if (!person.every((u) => u.pos === 'PROPN') || !looksLikePersonName(person, ctx.givenNames)) continue;
    const before = units[at - 1]!;
    if (isOrgCue(before.lower) || LOC_TAILS.has(before.lower) ||
      (at - from >= 2 && isKnownName(before.lower) && !ctx.givenNames.has(before.lower))) {
      return at;
    }
    const known = lookup(nameKey(text.slice(units[from]!.start, before.end)), gazetteer);
    if (known && known.type !== 'PER' && known.type !== 'MISC') return at;
  }
  return -1;
}

/** True when the word is written capitalized mid-sentence more often than lowercase: a name used as a word too. */
function mostlyCapitalized(ctx: Context, lower: string): boolean {
  if (!ctx.capitalization) {
    // Built on first use, once per text: capitalized-minus-lowercase count of every word.
    const balance = new Map<string, number>();
    for (const u of ctx.units) {
      let d = 0;
      if (startsLowercase(u.value)) d = inIdentifier(ctx.text, u.start, u.end) ? 0 : -1;
      else if (!sentenceInitial(ctx.text, u)) d = 1;
      if (d !== 0) balance.set(u.lower, (balance.get(u.lower) ?? 0) + d);
    }
    ctx.capitalization = balance;
  }
  return (ctx.capitalization.get(lower) ?? 0) > 0;
}

function isTitleAt(units: readonly Unit[], k: number, to: number): boolean {
  const u = units[k];
  if (!u || !PERSON_TITLES.has(u.lower)) return false;
  if (!TITLE_MODIFIERS.has(u.lower)) return true;
  // A modifier is a title only when it leads into one ("Prime Minister", "Foreign Minister").
  return k < to && isTitleAt(units, k + 1, to);
}

interface Known {
  type: EntityType;
  actorId?: string;
  /** From the city list: a person cue or a given-name reading may override it. */
  weak?: boolean;
}

function lookup(key: string, gazetteer: EntityGazetteer): Known | null {
  const bare = key.replace(/^the /, '');
  const fromWatchlist = gazetteer.get(key) ?? gazetteer.get(bare) ?? gazetteer.get(singularKey(bare));
  if (fromWatchlist) return fromWatchlist;
  const { places, orgs, demonyms, cities } = builtInGazetteer();
  if (places.has(bare)) return { type: 'LOC' };
  if (orgs.has(bare)) return { type: 'ORG' };
  if (demonyms.has(bare)) return { type: 'MISC' };
  if (cities.has(bare)) return { type: 'LOC', weak: true };
  return null;
}

/** A name some built-in list knows (place, city, organization). */
function isKnownName(key: string): boolean {
  const g = builtInGazetteer();
  return g.places.has(key) || g.orgs.has(key) || g.cities.has(key);
}

/** A word that is itself a country or curated place ("Canada" in "Environment Canada"). */
function isPlaceWord(lower: string): boolean {
  return builtInGazetteer().places.has(lower);
}

const NAME_WORD = /^\p{Lu}[\p{Ll}'’.-]*[\p{Ll}.]$|^\p{Lu}\.$|^\p{Lu}\p{Ll}+-\p{Lu}\p{Ll}+$/u;

/** Two to four capitalized words without digits or acronyms: the shape of a personal name. */
function personShaped(words: readonly Unit[]): boolean {
  return words.length >= 2 && words.length <= 4 && words.every((u) => NAME_WORD.test(u.value) && !ACRONYM.test(u.value));
}

/** A personal name by the given-name list ("Andy Warhol") or the East Asian surname-first shape ("Wong Kwok-kin"). */
function looksLikePersonName(words: readonly Unit[], givenNames: ReadonlySet<string>): boolean {
  if (!personShaped(words)) return false;
  const first = words[0]!;
  if (givenNames.has(first.lower)) return true;
  return words.length === 2 && HYPHENATED_GIVEN_NAME.test(words[1]!.value);
}

interface Candidate {
  entity: ExtractedEntity;
  key: string;
  words: Unit[];
  decided: boolean;
  /** Typed by name shape alone: too weak to type other mentions. */
  guessed: boolean;
  /** Typed from the city list: may become a sports team. */
  place: boolean;
  /** A lone word also seen lowercase: kept only if a longer name types it. */
  commonWord?: boolean;
  /** "Irving, Texas": the region part, a mention nested in this one (the town is its head, not a mention). */
  region?: Candidate;
  /** The town's key in a "Town, Region" mention. */
  headKey?: string;
}

/** Last words of continents and world regions ("Southeast Asia", "Middle East"). */
const MACRO_REGION_WORDS = new Set(['asia', 'europe', 'africa', 'america', 'americas', 'oceania', 'east', 'caribbean']);

/** A country, or a first-level region that may follow "Town, " (US state, province). */
function regionKind(key: string): 'country' | 'region' | null {
  const g = builtInGazetteer();
  if (g.countries.has(key)) return 'country';
  return g.regions.has(key) ? 'region' : null;
}

/**
 * "Irving, Texas", "Evansville, Indiana, United States": a town followed by its region or country is one place
 * mention (the AP dateline convention), the region part nested in it. The town must not be typed otherwise
 * (a person, an organization) and must rank below what follows: a region after a town, a country after a town or
 * a region. That keeps enumerations ("Belgium, Panama", "Texas, Ohio") apart.
 */
function joinTownRegion(text: string, candidates: readonly Candidate[]): Candidate[] {
  const out = candidates.slice();
  for (let k = out.length - 2; k >= 0; k--) {
    const town = out[k]!;
    const region = out[k + 1]!;
    if (text.slice(town.entity.end, region.entity.start) !== ', ') continue;
    const regionType = region.entity.type;
    if (regionType !== 'LOC' && region.decided) continue;
    const outer = regionKind(region.headKey ?? region.key);
    if (!outer) continue;
    const inner = regionKind(town.key);
    if (inner === 'country' || (inner === 'region' && outer !== 'country')) continue;
    // "Southeast Asia, Cambodia" is an enumeration from the wide to the narrow, not a town in its country.
    if (MACRO_REGION_WORDS.has(town.words[town.words.length - 1]!.lower)) continue;
    if (town.region || (town.entity.type !== 'LOC' && town.decided && !town.guessed)) continue;
    if (town.words.some((u) => isNameHeadWord(u.lower) && !LOC_TAILS.has(u.lower))) continue;
    const { start } = town.entity;
    const { end } = region.entity;
    if (regionType !== 'LOC') region.entity.type = 'LOC';
    const joined: Candidate = {
      entity: { text: text.slice(start, end), type: 'LOC', start, end },
      key: nameKey(text.slice(start, end)),
      words: [...town.words, ...region.words],
      decided: true,
      guessed: false,
      place: false,
      region,
      headKey: town.key,
    };
    out.splice(k, 2, joined);
  }
  return out;
}

/**
 * Named entities in `text`, in order of appearance (an outer mention before the names nested in it). `start`/`end`
 * are UTF-16 offsets such that `text.slice(start, end) === entity.text`. Titles ("President"), a leading "the" and a
 * trailing "'s" are never part of the span; month and weekday names are never entities.
 *
 * Mentions: proper-noun runs, split where a title ("US President Barack Obama" -> "US", "Barack Obama") or a
 * person's name ("Boston University Maria Lopez") starts inside them; a run ending in an office ("German
 * Ambassador") names no one. "Town, Region" is one place ("Dayton, Ohio"). With `nested` (the default), names
 * inside names follow their outer mention: see nested-entities.ts; `{ nested: false }` gives flat mentions.
 *
 * Typing, first rule that applies: watchlist name or alias (also sets `actorId`); curated place (LOC); well-known
 * organization (ORG); demonym or religious group (MISC, dropped before a common noun: "Afghan team"); "Operation
 * ..." or a title after a work noun (MISC: "the film Easy Rider"); a person title or lowercase role noun before the
 * name (PER: "captain Harry Kane"); an organization cue word (ORG: "... University", "... Party", "... Herald" at
 * the end); a place head as last or first word (LOC: "... Stadium", "Lake ..."); a city (LOC); a given name first
 * or a hyphenated East Asian given name (PER); a lone acronym or website (ORG); a speech verb after or before a
 * name-shaped span (PER: "Julie Hahn said", "said Hahn"). Then: whatever stands beside a match score is a team (ORG)
 * everywhere in the text; a name typed only by its shape takes the type the same name has elsewhere; a single word
 * repeating part of a name already typed takes that type ("Warhol" after "Andy Warhol"); the rest is MISC.
 *
 * Only English is supported (the wink model is English-only); other languages return [].
 */
export function extractEntities(
  text: string,
  language: string,
  gazetteer: EntityGazetteer,
  options: ExtractOptions = {},
): ExtractedEntity[] {
  if (language !== 'en' || text.trim() === '') return [];
  const lowercaseWords = new Set<string>();
  const units = toUnits(text, lowercaseWords);
  const { givenNames } = builtInGazetteer();
  const ctx: Context = { text, units, lowercaseWords, givenNames };
  const candidates: Candidate[] = [];

  const runs = candidateRuns(ctx);
  // Words seen inside longer names: a sentence-initial "Warhol" may still be the person.
  const partWords = new Set<string>();
  for (const r of runs) if (r.to > r.from) for (let k = r.from; k <= r.to; k++) partWords.add(units[k]!.lower);
  const queue = runs.slice();
  for (let q = 0; q < queue.length; q++) {
    const run = queue[q]!;
    let { from } = run;
    const { to } = run;
    const before = units[from - 1];
    const beforeThat = units[from - 2];
    let person =
      before !== undefined &&
      ((PERSON_TITLES.has(before.lower) && !TITLE_MODIFIERS.has(before.lower)) ||
        (LOWER_START.test(before.value) && ROLE_NOUNS.has(before.lower) && beforeThat?.lower !== 'the'));
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
    // "US President Barack Obama": a title inside the run starts the person's name after it, and what comes
    // before the title is a name of its own ("US", "Facebook CEO").
    let split = false;
    for (let k = to - 1; k > from; k--) {
      const next = units[k + 1];
      if (isTitleAt(units, k, to) && next && !NAME_ADPOSITIONS.has(next.value) && !ORG_CUES.has(next.lower)) {
        let titleStart = k;
        while (titleStart - 1 > from && isTitleAt(units, titleStart - 1, to)) titleStart--;
        if (!isTitleAt(units, from, to)) {
          queue.splice(q + 1, 0, { from, to: titleStart - 1 }, { from: k + 1, to });
          split = true;
        } else {
          person = true;
          from = k + 1;
        }
        break;
      }
    }
    if (split) continue;
    // "Afghan Ambassador", "Environment Minister": an office, not a name; what qualifies it may be one.
    if (to > from && OFFICE_TITLES.has(units[to]!.lower) && !looksLikePersonName(units.slice(from, to), givenNames)) {
      let titleStart = to;
      while (titleStart - 1 >= from && isTitleAt(units, titleStart - 1, to)) titleStart--;
      if (titleStart > from) queue.splice(q + 1, 0, { from, to: titleStart - 1 });
      continue;
    }
    // "United States Hamdullah Mohib", "University of Texas Arlington Jane Doe": a known place or an
    // organization run straight into a person's name (a caption, a dropped comma) is two names.
    const personAt = personSuffixAt(ctx, from, to, gazetteer);
    if (personAt > from) {
      queue.splice(q + 1, 0, { from, to: personAt - 1 }, { from: personAt, to });
      continue;
    }
    if (from > to) continue;
    const first = units[from];
    const last = units[to];
    if (!first || !last) continue;

    const surface = text.slice(first.start, last.end);
    const key = nameKey(surface);
    if (!key) continue;
    const words = units.slice(from, to + 1);
    const single = from === to;
    // A lone cue word ("Police arrested", "University exhibits") or a unit/post-nominal acronym names nothing.
    if (single && (isNameHeadWord(first.lower) || NON_NAME_ACRONYMS.has(first.lower))) continue;
    // Roman numerals ("part XVII") and the pronoun ("I'm") are capitalized but name nothing.
    if (single && (ROMAN_NUMERAL.test(first.value) || /^I(?:['’]\p{L}+)?$/u.test(first.value))) continue;
    const entity: ExtractedEntity = { text: surface, type: 'MISC', start: first.start, end: last.end };
    const after = units[to + 1];
    // "Hahn said", and the inverted "..., said Hahn" of news attribution.
    const said = (after !== undefined && SPEECH_VERBS.has(after.lower)) || (before !== undefined && INVERTED_SPEECH.has(before.lower));
    let decided = true;
    let guessed = false;
    let place = false;
    let known = lookup(key, gazetteer);
    // "the 1969 film Easy Rider": a title after a lowercase work noun.
    const work = before !== undefined && LOWER_START.test(before.value) && WORK_NOUNS.has(before.lower);
    // "NZ$ 26 million", "US $5": a country code before a currency sign is part of the amount.
    if (single && ACRONYM.test(first.value) && CURRENCY_AFTER.test(text.slice(last.end, last.end + 2))) continue;
    // A demonym before a common word is an adjective ("Afghan team", "Saudi-led"), not a mention.
    if (known && known.type === 'MISC' && !known.actorId && (LOWER_START.test(after?.value ?? '') || after?.value === '-')) continue;
    // "Charlotte said": a city name that is also a given name reads as the person when context says so.
    if (known?.weak && (person || said) && single && givenNames.has(first.lower)) known = null;
    const lastWord = last.lower;
    if (known) {
      entity.type = known.type;
      if (known.actorId) entity.actorId = known.actorId;
      place = known.type === 'LOC';
    } else if (!single && MISC_HEADS.has(first.lower)) entity.type = 'MISC';
    else if (work) entity.type = 'MISC';
    else if (person && words.every((u) => !isOrgCue(u.lower))) entity.type = 'PER';
    else if (words.some((u) => isOrgCue(u.lower)) || (!single && ORG_TAILS.has(lastWord))) entity.type = 'ORG';
    else if (!single && (LOC_TAILS.has(lastWord) || LOC_HEADS.has(first.lower))) entity.type = 'LOC';
    else if (!single && MISC_TAILS.has(lastWord)) entity.type = 'MISC';
    else if (looksLikePersonName(words, givenNames)) entity.type = 'PER';
    else if (single && (ACRONYM.test(first.value) || WEBSITE.test(first.value))) entity.type = 'ORG';
    else if (single && givenNames.has(first.lower) && !lowercaseWords.has(first.lower)) {
      entity.type = 'PER';
      guessed = true;
    } else if (said && (single || personShaped(words))) entity.type = 'PER';
    else if (!single && words.some((u) => isPlaceWord(u.lower))) entity.type = 'ORG';
    else if (personShaped(words) && words.length <= 3 && words.every((u) => u.pos === 'PROPN' && !lowercaseWords.has(u.lower))) {
      entity.type = 'PER';
      guessed = true;
    } else decided = false;
    // A lone capitalized common word ("Preparation" opening a headline) appears lowercase elsewhere.
    // Unless it is a word of a longer name ("Church of Scientology" ... "the scientology website"): then the
    // longer name may type it below, and it is dropped if it does not.
    const commonWord = !decided && single && lowercaseWords.has(first.lower);
    if (commonWord && !(partWords.has(first.lower) && mostlyCapitalized(ctx, first.lower))) continue;
    // Nor does an untyped capitalized word opening a sentence ("Lawmakers elected ..."), unless part of a longer name.
    if (!decided && single && sentenceInitial(text, first) && !partWords.has(first.lower)) continue;
    candidates.push({ entity, key, words, decided, guessed, place, ...(commonWord ? { commonWord } : {}) });
  }

  // A country or city beside a match score ("Belgium 3 – 0 Panama") is a team throughout the text (ORG, as in
  // OntoNotes and ACE; CoNLL-2003 is inconsistent here).
  const teams = new Set<string>();
  for (const c of candidates) {
    // "Sweden 1 – 0 Korea Republic": whatever stands beside a score is a team, unless a cue made it a person.
    if (!c.place && c.decided && !c.guessed) continue;
    const { start, end } = c.entity;
    if (SCORE_AFTER.test(text.slice(end, end + 12)) || SCORE_BEFORE.test(text.slice(Math.max(0, start - 12), start))) {
      teams.add(c.key);
    }
  }
  if (teams.size > 0) {
    for (const c of candidates) {
      if ((c.place || !c.decided || c.guessed) && teams.has(c.key)) {
        c.entity.type = 'ORG';
        c.decided = true;
        c.guessed = false;
      }
    }
  }

  // "Nathan Law of Demosisto", "Youngspiration's Yau Wai-ching": what a person is "of" or what owns a person
  // (when nothing else typed it) is an organization.
  for (let k = 0; k < candidates.length; k++) {
    const c = candidates[k]!;
    if (c.decided && !c.guessed) continue;
    const prev = candidates[k - 1];
    const next = candidates[k + 1];
    const gapBefore = prev ? text.slice(prev.entity.end, c.entity.start) : '';
    const gapAfter = next ? text.slice(c.entity.end, next.entity.start) : '';
    if ((prev?.entity.type === 'PER' && /^ (?:of|from)(?: the)? $/.test(gapBefore)) ||
      (next?.entity.type === 'PER' && /^['’]s $/.test(gapAfter))) {
      c.entity.type = 'ORG';
      c.decided = true;
      c.guessed = false;
    }
  }

  // In-document coreference: "Warhol" after "Andy Warhol" is the same person.
  // People first: "Warhol" in "Andy Warhol Foundation" is still the person's name.
  const partType = new Map<string, EntityType>();
  for (const type of ['PER', 'ORG'] as const) {
    for (const c of candidates) {
      if (!c.decided || c.words.length < 2 || c.guessed || c.entity.type !== type) continue;
      for (const w of c.words) if (!partType.has(w.lower) && !ORG_CUES.has(w.lower)) partType.set(w.lower, type);
    }
  }
  // One name, one type per text: a mention typed only by its shape ("Civic Passion" guessed a person) takes the
  // type the same name has where context decided it.
  const keyType = new Map<string, EntityType>();
  for (const c of candidates) if (c.decided && !c.guessed && !keyType.has(c.key)) keyType.set(c.key, c.entity.type);
  // "Warhol Polaroids": a name opening with a known person's surname, typed a person only by its shape, is no person.
  const personKeys = new Set<string>();
  for (const c of candidates) {
    if (c.entity.type !== 'PER' || c.guessed) continue;
    personKeys.add(c.key);
    if (c.words.length >= 2) personKeys.add(c.words[c.words.length - 1]!.lower);
  }
  for (const c of candidates) {
    if (c.guessed && c.entity.type === 'PER' && c.words.length >= 2 && personKeys.has(c.words[0]!.lower) && !personKeys.has(c.key)) {
      c.entity.type = 'MISC';
      c.guessed = false;
    }
  }
  // Surnames of names typed a person by shape alone: weaker, used only for otherwise untyped lone words ("Lukaku").
  const guessedSurnames = new Set<string>();
  for (const c of candidates) {
    if (c.guessed && c.entity.type === 'PER' && c.words.length >= 2) guessedSurnames.add(c.words[c.words.length - 1]!.lower);
  }
  for (const c of candidates) {
    const known = keyType.get(c.key);
    if (c.guessed && known && known !== c.entity.type) {
      c.entity.type = known;
      c.guessed = false;
    }
    if (!c.decided && c.words.length === 1) {
      const lower = c.words[0]!.lower;
      const t = partType.get(lower) ?? (guessedSurnames.has(lower) && !c.commonWord ? 'PER' : undefined);
      if (t) c.entity.type = t;
      else if (c.commonWord) c.entity.type = 'MISC';
    }
  }
  const kept = candidates.filter((c) => !c.commonWord || c.entity.type !== 'MISC');
  const joined = joinTownRegion(text, kept);
  if (options.nested === false) return joined.map((c) => c.entity);
  return withNested(ctx, joined, gazetteer);
}

/** The names the text itself typed: person keys (and their surnames), place and organization keys. */
function documentNames(candidates: readonly Candidate[]): { persons: Set<string>; typed: Map<string, EntityType> } {
  const persons = new Set<string>();
  const typed = new Map<string, EntityType>();
  for (const c of candidates) {
    if (c.headKey && !typed.has(c.headKey)) typed.set(c.headKey, 'LOC');
    if (c.guessed) continue;
    const { type } = c.entity;
    if (type === 'PER') {
      persons.add(c.key);
      if (c.words.length >= 2) persons.add(c.words[c.words.length - 1]!.lower);
    } else if ((type === 'LOC' || type === 'ORG') && c.decided && !typed.has(c.key)) typed.set(c.key, type);
  }
  return { persons, typed };
}

/** The flat mentions with the names nested in them (see nested-entities.ts), in order of appearance. */
function withNested(ctx: Context, candidates: readonly Candidate[], gazetteer: EntityGazetteer): ExtractedEntity[] {
  const { persons, typed } = documentNames(candidates);
  // Inner-name candidates repeat across the mentions of a text; nameKey tokenizes, so remember its answers.
  const keys = new Map<string, string>();
  const lex: NestedLexicon = {
    key(surface) {
      let k = keys.get(surface);
      if (k === undefined) {
        k = nameKey(surface);
        keys.set(surface, k);
      }
      return k;
    },
    isHeadWord: isNameHeadWord,
    knownType(key) {
      const known = lookup(key, gazetteer);
      if (known && (known.type === 'LOC' || known.type === 'ORG')) {
        // A city that is also a given name ("Irving") needs the text to use it as a place.
        if (!known.weak || !ctx.givenNames.has(key)) return known.type;
      }
      if (persons.has(key)) return 'PER';
      return typed.get(key) ?? null;
    },
  };
  const out: ExtractedEntity[] = [];
  for (const c of candidates) {
    out.push(c.entity);
    for (let r = c.region; r; r = r.region) out.push(r.entity);
    if (c.region) continue;
    for (const inner of nestedMentions(ctx.text, c.entity.type, c.words, lex)) {
      const known = lookup(nameKey(inner.text), gazetteer);
      out.push(known?.actorId && known.type === inner.type ? { ...inner, actorId: known.actorId } : inner);
    }
  }
  return out;
}
