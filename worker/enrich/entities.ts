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
  LOC_TAILS,
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
} from './ner-gazetteer.ts';

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
    if (value === '-' && prev && spaces[i] === '' && next !== undefined && spaces[i + 1] === '' && prev.end === at) {
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
    if (startsLowercase(value)) lowercaseWords.add(lower);
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
  // "Image: Twitter" — a caption label, not the end of the name before it.
  if (CAPTION_WORDS.has(u.lower) && text.charCodeAt(u.end) === 58) return false;
  if (u.pos === 'PROPN' || ACRONYM.test(u.value)) return true;
  if (u.pos === 'NOUN' || u.pos === 'ADJ') return isOrgCue(u.lower) || !sentenceInitial(text, u);
  return isNameHeadWord(u.lower) && !sentenceInitial(text, u);
}

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
    if (!isNamePart(text, units[i])) {
      i++;
      continue;
    }
    let from = i;
    let to = i;
    while (true) {
      const a = units[to + 1];
      if (!a || !spaceBetween(text, units[to], a)) break;
      if (isNamePart(text, a)) {
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
}

/**
 * Named entities in `text`, in order of appearance, one per mention, never nested. `start`/`end` are UTF-16 offsets
 * such that `text.slice(start, end) === entity.text`. Titles ("President"), a leading "the" and a trailing "'s" are
 * never part of the span; month and weekday names are never entities.
 *
 * Typing, first rule that applies: watchlist name or alias (also sets `actorId`); curated place (LOC); well-known
 * organization (ORG); demonym (MISC, dropped before a common noun: "Afghan team"); a person title or lowercase role
 * noun before the name (PER: "captain Harry Kane"); an organization cue word (ORG: "... University", "... Party",
 * "... Herald" at the end); a place head as last word (LOC: "... Stadium", "... Street"); a city (LOC); a given name
 * first or a hyphenated East Asian given name (PER); a lone acronym (ORG); a speech verb after a name-shaped span
 * (PER: "Julie Hahn said"). Then: a country named beside a match score is a team (ORG) everywhere in the text; a
 * single word repeating part of a name already typed takes that type ("Warhol" after "Andy Warhol"); the rest is MISC.
 *
 * Only English is supported (the wink model is English-only); other languages return [].
 */
export function extractEntities(text: string, language: string, gazetteer: EntityGazetteer): ExtractedEntity[] {
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
  for (const run of runs) {
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
    const single = from === to;
    // A lone cue word ("Police arrested", "University exhibits") or a unit/post-nominal acronym names nothing.
    if (single && (isNameHeadWord(first.lower) || NON_NAME_ACRONYMS.has(first.lower))) continue;
    const entity: ExtractedEntity = { text: surface, type: 'MISC', start: first.start, end: last.end };
    const after = units[to + 1];
    const said = after !== undefined && SPEECH_VERBS.has(after.lower);
    let decided = true;
    let guessed = false;
    let place = false;
    let known = lookup(key, gazetteer);
    // A demonym before a common word is an adjective ("Afghan team"), not a mention.
    if (known && known.type === 'MISC' && !known.actorId && LOWER_START.test(after?.value ?? '')) continue;
    // "Charlotte said": a city name that is also a given name reads as the person when context says so.
    if (known?.weak && (person || said) && single && givenNames.has(first.lower)) known = null;
    const lastWord = last.lower;
    if (known) {
      entity.type = known.type;
      if (known.actorId) entity.actorId = known.actorId;
      place = known.type === 'LOC';
    } else if (person && words.every((u) => !isOrgCue(u.lower))) entity.type = 'PER';
    else if (words.some((u) => isOrgCue(u.lower)) || (!single && ORG_TAILS.has(lastWord))) entity.type = 'ORG';
    else if (!single && LOC_TAILS.has(lastWord)) entity.type = 'LOC';
    else if (!single && MISC_TAILS.has(lastWord)) entity.type = 'MISC';
    else if (looksLikePersonName(words, givenNames)) entity.type = 'PER';
    else if (single && ACRONYM.test(first.value)) entity.type = 'ORG';
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
    if (!decided && single && lowercaseWords.has(first.lower)) continue;
    // Nor does an untyped capitalized word opening a sentence ("Lawmakers elected ..."), unless part of a longer name.
    if (!decided && single && sentenceInitial(text, first) && !partWords.has(first.lower)) continue;
    candidates.push({ entity, key, words, decided, guessed, place });
  }

  // A country or city beside a match score ("Belgium 3 – 0 Panama") is a team throughout the text (ORG, as in
  // OntoNotes and ACE; CoNLL-2003 is inconsistent here).
  const teams = new Set<string>();
  for (const c of candidates) {
    if (!c.place) continue;
    const { start, end } = c.entity;
    if (SCORE_AFTER.test(text.slice(end, end + 12)) || SCORE_BEFORE.test(text.slice(Math.max(0, start - 12), start))) {
      teams.add(c.key);
    }
  }
  if (teams.size > 0) for (const c of candidates) if (c.place && teams.has(c.key)) c.entity.type = 'ORG';

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
  const out: ExtractedEntity[] = [];
  for (const c of candidates) {
    if (!c.decided && c.words.length === 1) {
      const t = partType.get(c.words[0]!.lower);
      if (t) c.entity.type = t;
    }
    out.push(c.entity);
  }
  return out;
}
