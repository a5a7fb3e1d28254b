/**
 * Language identification: a cheap script census first, then franc-min trigrams restricted to the
 * languages that script can carry. Short texts (a one-line title) only compete among newsroom languages.
 */
import { francAll } from 'franc-min';

/** Result of {@link detectLanguage}. */
export interface LanguageGuess {
  /** ISO 639-1 code, or "und" when the text gives too little to decide. */
  language: string;
  /** 0..1: how far the winner stands from the runner-up, damped for short texts. */
  confidence: number;
}

/** ISO 639-3 (franc-min's codes) to ISO 639-1, for every language franc-min knows. */
const ISO3_TO_ISO1: Readonly<Record<string, string>> = {
  eng: 'en', rus: 'ru', ukr: 'uk', bel: 'be', bul: 'bg', srp: 'sr', bos: 'bs', hrv: 'hr', kaz: 'kk',
  uzn: 'uz', azj: 'az', koi: 'kv', fra: 'fr', deu: 'de', spa: 'es', por: 'pt', ita: 'it', tur: 'tr',
  pol: 'pl', nld: 'nl', ron: 'ro', ces: 'cs', hun: 'hu', swe: 'sv', ind: 'id', zlm: 'ms', vie: 'vi',
  jav: 'jv', sun: 'su', swh: 'sw', hau: 'ha', yor: 'yo', ibo: 'ig', ceb: 'ceb', tgl: 'tl', plt: 'mg',
  run: 'rn', nya: 'ny', kin: 'rw', zul: 'zu', som: 'so', lin: 'ln', ilo: 'ilo', fuv: 'ff', ckb: 'ku',
  arb: 'ar', urd: 'ur', pes: 'fa', pbu: 'ps', skr: 'skr', hin: 'hi', mar: 'mr', mai: 'mai', bho: 'bho',
  npi: 'ne', mag: 'mag', cmn: 'zh', jpn: 'ja', kor: 'ko', ben: 'bn', tel: 'te', tam: 'ta', guj: 'gu',
  kan: 'kn', mal: 'ml', mya: 'my', pan: 'pa', amh: 'am', tha: 'th', sin: 'si', ell: 'el',
};

/**
 * Below this many letters, trigram statistics are too thin to separate close relatives
 * (franc labels a short Russian sentence Bulgarian), so only the languages below compete.
 */
const SHORT_TEXT_LETTERS = 120;

/** Languages a short text may be assigned to, per script: the languages news outlets we follow publish in. */
const SHORT_TEXT_CANDIDATES: Readonly<Record<Script, readonly string[]>> = {
  latin: ['eng', 'fra', 'deu', 'spa', 'por', 'ita', 'tur', 'pol', 'nld', 'ind', 'ron', 'ces', 'hun', 'swe'],
  cyrillic: ['rus', 'ukr', 'bel', 'srp'],
  arabic: ['arb', 'pes', 'urd'],
  other: [],
};

type Script = 'latin' | 'cyrillic' | 'arabic' | 'other';

/** Scripts that (for our purposes) identify one language outright; franc-min has no model to add. */
const SINGLE_LANGUAGE_SCRIPTS: ReadonlyArray<{ re: RegExp; language: string }> = [
  { re: /[\u3040-\u30ff]/gu, language: 'ja' },
  { re: /\p{Script=Hangul}/gu, language: 'ko' },
  { re: /\p{Script=Han}/gu, language: 'zh' },
  { re: /\p{Script=Greek}/gu, language: 'el' },
  { re: /\p{Script=Hebrew}/gu, language: 'he' },
  { re: /\p{Script=Thai}/gu, language: 'th' },
  { re: /\p{Script=Armenian}/gu, language: 'hy' },
  { re: /\p{Script=Georgian}/gu, language: 'ka' },
];

const LETTER = /\p{L}/gu;
const LATIN = /\p{Script=Latin}/gu;
const CYRILLIC = /\p{Script=Cyrillic}/gu;
const ARABIC = /\p{Script=Arabic}/gu;
/** Letters used by Ukrainian and never by Russian; ы/э/ъ/ё are the reverse. */
const UKRAINIAN_ONLY = /[іїєґІЇЄҐ]/u;
const RUSSIAN_ONLY = /[ыэъёЫЭЪЁ]/u;
/** ў is Belarusian only; ј љ њ ћ ђ џ are Serbian (franc-min has no Macedonian, the other user of ј љ њ). */
const BELARUSIAN_ONLY = /[ўЎ]/u;
const SERBIAN_ONLY = /[јљњћђџЈЉЊЋЂЏ]/u;
/** Letters (and the keheh/yeh code points) Persian uses and Arabic never does; Urdu shares them. */
const PERSIAN_ONLY = /[پچژگکی]/gu;
/** Letters only Urdu adds. */
const URDU_ONLY = /[ٹڈڑںےۓ]/u;

/*
 * franc's cost grows with its input (trigrams x candidate languages). On the ReCOVery corpus (2,031 English
 * articles) title + the first 640 characters gave 2,030 'en' (the one miss opens with a chart's axis labels), the
 * same as 1,000 or 2,048 characters, at about twice the speed of 2,048.
 */
const SAMPLE_CHARS = 640;

/** Title plus the start of the body, cut at a space so no word is split. */
export function languageSample(title: string, text: string): string {
  const joined = `${title}\n${text}`;
  if (joined.length <= SAMPLE_CHARS) return joined;
  const cut = joined.lastIndexOf(' ', SAMPLE_CHARS);
  return joined.slice(0, cut > SAMPLE_CHARS / 2 ? cut : SAMPLE_CHARS);
}

interface Census {
  letters: number;
  latin: number;
  cyrillic: number;
  arabic: number;
  /** Letters of any other script. */
  other: number;
}

/*
 * One pass over the sample: ASCII and the Cyrillic and Arabic blocks by code range, anything else by the Unicode
 * script regexes. (Matching each regex over the whole sample cost as much as franc itself.)
 */
function scriptCensus(sample: string): Census {
  const c: Census = { letters: 0, latin: 0, cyrillic: 0, arabic: 0, other: 0 };
  for (let i = 0; i < sample.length; i++) {
    const code = sample.charCodeAt(i);
    if (code < 0x80) {
      if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a)) {
        c.letters++;
        c.latin++;
      }
      continue;
    }
    const ch = String.fromCodePoint(sample.codePointAt(i) ?? code);
    if (ch.length === 2) i++;
    LETTER.lastIndex = 0;
    if (!LETTER.test(ch)) continue;
    c.letters++;
    if (code >= 0x0400 && code <= 0x04ff) c.cyrillic++;
    else if (code >= 0x0600 && code <= 0x06ff) c.arabic++;
    else if (testScript(LATIN, ch)) c.latin++;
    else if (testScript(CYRILLIC, ch)) c.cyrillic++;
    else if (testScript(ARABIC, ch)) c.arabic++;
    else c.other++;
  }
  return c;
}

function testScript(re: RegExp, ch: string): boolean {
  re.lastIndex = 0;
  return re.test(ch);
}

function countMatches(text: string, re: RegExp): number {
  return text.match(re)?.length ?? 0;
}

function round2(x: number): number {
  return Math.round(Math.max(0, Math.min(1, x)) * 100) / 100;
}

/**
 * Detects the language of an article from its title and text.
 *
 * Only the title and the first 640 characters of the text are looked at. Han-only text is reported as "zh";
 * kana anywhere makes it "ja". For Latin, Cyrillic and Arabic
 * scripts the decision is franc-min's, restricted to that script's newsroom languages when the text
 * is shorter than 120 letters.
 */
export function detectLanguage(title: string, text: string): LanguageGuess {
  const sample = languageSample(title, text);
  const { letters, latin, cyrillic, arabic, other } = scriptCensus(sample);
  if (letters < 3) return { language: 'und', confidence: 0 };

  // Confidence grows with evidence: a 30-letter title is worth about half of a full paragraph.
  const lengthFactor = Math.min(1, 0.35 + letters / 100);

  const top = Math.max(latin, cyrillic, arabic);

  // The per-script regex passes are only needed when some letter is outside Latin, Cyrillic and Arabic.
  for (const { re, language } of other === 0 ? [] : SINGLE_LANGUAGE_SCRIPTS) {
    const n = countMatches(sample, re);
    // Japanese mixes kana with Han, so any real amount of kana decides before Han is counted.
    const enough = language === 'ja' ? n >= Math.max(2, letters * 0.05) : n > top && n >= letters * 0.3;
    if (enough) return { language, confidence: round2((Math.min(n, letters) / letters) * lengthFactor) };
  }
  if (top === 0) return { language: 'und', confidence: 0 };

  const script: Script = top === cyrillic ? 'cyrillic' : top === arabic ? 'arabic' : 'latin';
  const short = letters < SHORT_TEXT_LETTERS;
  const only = short ? [...SHORT_TEXT_CANDIDATES[script]] : undefined;
  const ranked = francAll(sample, { only, minLength: 3 });
  let best = ranked[0]?.[0] ?? 'und';
  const runnerUp = ranked[1]?.[1] ?? 0;

  // Alphabet evidence beats trigrams when they disagree on a short text.
  if (script === 'cyrillic') {
    const uk = UKRAINIAN_ONLY.test(sample);
    const ru = RUSSIAN_ONLY.test(sample);
    if (uk && !ru && best === 'rus') best = 'ukr';
    if (ru && !uk && best === 'ukr') best = 'rus';
    const be = BELARUSIAN_ONLY.test(sample) || (/[іІ]/u.test(sample) && /[ыэЫЭ]/u.test(sample));
    if (be) best = 'bel';
    else if (SERBIAN_ONLY.test(sample) && !ru && !uk) best = 'srp';
    else if (short) {
      // Trigrams of one line cannot separate the East Slavic languages from Bulgarian or Serbian (franc calls a
      // short Russian sentence Bulgarian); the alphabet can: no letter peculiar to another language means Russian.
      best = uk && !ru ? 'ukr' : 'rus';
    }
  }
  if (script === 'arabic') {
    // Ratio, not presence: an Arabic story may spell one Persian name with پ or گ.
    const persianLetters = countMatches(sample, PERSIAN_ONLY) >= Math.max(1, arabic * 0.01) * (short ? 1 : 3);
    if (best === 'pes' && !persianLetters) best = 'arb';
    if (best === 'arb' && persianLetters) best = URDU_ONLY.test(sample) ? 'urd' : 'pes';
  }

  const language = ISO3_TO_ISO1[best] ?? 'und';
  if (language === 'und') return { language, confidence: 0 };
  // franc scores the winner 1 and the others relative to it: the gap is the separation.
  const separation = ranked.length > 1 ? 1 - runnerUp : 0.5;
  const scriptShare = top / letters;
  return { language, confidence: round2(Math.min(1, 0.45 + separation) * lengthFactor * scriptShare) };
}
