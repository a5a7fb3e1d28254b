/**
 * Scoring named-entity output against the GUM news gold (../shared/corpus/ner-gold/gum-news): pure functions
 * shared by tests/worker/ner-gold.test.ts and the enrichment bench, so both print the same table.
 */
import type { Entity, EntityType } from '../../core/types.ts';

/** One document of gum-news-entities.jsonl (fields we use). */
export interface GumDocument {
  doc_id: string;
  text: string;
  entities: Array<{
    type: string;
    mentions: Array<{ start: number; end: number; text: string; named: boolean }>;
  }>;
}

/** A gold mention after mapping and trimming. */
export interface GoldMention {
  start: number;
  end: number;
  /** PER/ORG/LOC for person/organization/place; MISC for GUM's other named types. */
  type: EntityType;
}

/** GUM type -> ours. `time` is dropped: we leave dates to other tools, and CoNLL-style NER has no such type. */
const GUM_TYPE: Readonly<Record<string, EntityType | null>> = {
  person: 'PER',
  organization: 'ORG',
  place: 'LOC',
  event: 'MISC',
  abstract: 'MISC',
  object: 'MISC',
  substance: 'MISC',
  animal: 'MISC',
  plant: 'MISC',
  quantity: null,
  time: null,
};

const LEADING_DETERMINER = /^(?:the|a|an|this|that|these|those|their|his|her|its|our|my|your)\s+/i;
const TRAILING_POSSESSIVE = /(?:\s?['’]s|['’])$/;
/*
 * Role words GUM keeps inside a person mention ("U.S. President Donald Trump's") but CoNLL-style annotation,
 * and our extractor, leave out.
 */
const PERSON_ROLE =
  /^(?:.*\b(?:President|Minister|Secretary|Professor|Prof\.?|Dr\.?|Mr\.?|Mrs\.?|Ms\.?|General|Chancellor|Senator|Governor|Mayor|Judge|King|Queen|Prince|Pope|Director|Chairman|CEO|Spokesman|Spokeswoman|Coach|Captain|Officer|Ambassador|Commissioner|Archbishop|Bishop|Cardinal|Sheikh|Lady|Lord|Sir)\s+)(?=\p{Lu})/u;

/**
 * Maps GUM's gold to NER-style mentions, CoNLL conventions: only `named` mentions (head is a proper noun); a
 * leading determiner or possessive pronoun and a trailing "'s" are trimmed; a person mention loses its leading
 * role words and anything from " of " on ("Wu Chi-wai of the Democratic Party" -> "Wu Chi-wai"; the party is
 * its own gold mention). Nested gold mentions are all kept, so a flat tagger cannot reach recall 1.0.
 * Offsets stay offsets into `doc.text`.
 */
export function goldMentions(doc: GumDocument): GoldMention[] {
  const out: GoldMention[] = [];
  for (const entity of doc.entities) {
    const type = GUM_TYPE[entity.type];
    if (!type) continue;
    for (const m of entity.mentions) {
      if (!m.named) continue;
      let { start, end } = m;
      let span = doc.text.slice(start, end);
      const det = LEADING_DETERMINER.exec(span);
      if (det) {
        start += det[0].length;
        span = span.slice(det[0].length);
      }
      // Lowercase modifiers are not part of a name ("mainland Australia", "pro-Beijing New People Party").
      const modifiers = /^(?:[\p{Ll}\d][^\s]*\s+)+(?=\p{Lu})/u.exec(span);
      if (modifiers) {
        start += modifiers[0].length;
        span = span.slice(modifiers[0].length);
      }
      if (type === 'PER') {
        // "Youngspiration's Yau Wai-ching": the person is what follows the possessive.
        const owner = /^.*['’]s\s+(?=\p{Lu})/u.exec(span);
        if (owner) {
          start += owner[0].length;
          span = span.slice(owner[0].length);
        }
        const role = PERSON_ROLE.exec(span);
        if (role) {
          start += role[0].length;
          span = span.slice(role[0].length);
        }
        const of = span.indexOf(' of ');
        if (of > 0) {
          span = span.slice(0, of);
          end = start + span.length;
        }
      }
      const poss = TRAILING_POSSESSIVE.exec(span);
      if (poss) end = start + span.length - poss[0].length;
      if (end > start) out.push({ start, end, type });
    }
  }
  return out;
}

/** Precision, recall and F1 with the counts behind them. */
export interface Score {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

function score(tp: number, predicted: number, gold: number): Score {
  const precision = predicted === 0 ? 0 : tp / predicted;
  const recall = gold === 0 ? 0 : tp / gold;
  return {
    tp,
    fp: predicted - tp,
    fn: gold - tp,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
  };
}

type Span = { start: number; end: number; type: EntityType };

/**
 * One-to-one matching: exact spans first, then (for `partial`) any overlap, each gold used once.
 *
 * The exact variants are the CoNLL-2003 / conlleval rule: a prediction counts only when start, end and (typed) type
 * all equal a gold mention's; every other prediction is a false positive and every unmatched gold a false negative,
 * so a wrong boundary costs one of each. Precision and recall are micro-averaged over all documents. The partial
 * variants (one-to-one, any overlap) are reported only as a secondary figure: they forgive boundary errors.
 *
 * Where the gold (GUM) differs from CoNLL conventions, the extractor follows CoNLL and the difference stays an
 * error: GUM types countries acting as agents ("North Korea fired") as organizations (CoNLL: LOC); groups of people
 * ("Muslims", "Afghans") as persons (CoNLL: MISC); keeps coordinations, relative clauses and "X, Y" places inside
 * one mention ("Irving, Texas", which the extractor now follows); nests names in names ("Texas" in "University of
 * Texas"), of which the extractor emits the inner names it can vouch for (nested-entities.ts); and leaves names after
 * a role noun unnamed ("captain Harry Kane" is headed by "captain").
 */
function countMatches(pred: readonly Span[], gold: readonly Span[], typed: boolean, partial: boolean): number {
  const used = new Set<number>();
  let tp = 0;
  const sameType = (p: Span, g: Span): boolean => !typed || p.type === g.type;
  const unmatched: Span[] = [];
  for (const p of pred) {
    const i = gold.findIndex((g, k) => !used.has(k) && g.start === p.start && g.end === p.end && sameType(p, g));
    if (i >= 0) {
      used.add(i);
      tp++;
    } else unmatched.push(p);
  }
  if (!partial) return tp;
  for (const p of unmatched) {
    const i = gold.findIndex((g, k) => !used.has(k) && g.start < p.end && p.start < g.end && sameType(p, g));
    if (i >= 0) {
      used.add(i);
      tp++;
    }
  }
  return tp;
}

/** The four scores the project reports. */
export interface NerScores {
  /** PER/ORG/LOC only, span and type must agree exactly. */
  typedExact: Score;
  /** PER/ORG/LOC only, same type and overlapping spans (one-to-one). */
  typedPartial: Score;
  /** Every named mention (MISC included) against every prediction, exact span, type ignored. */
  untypedExact: Score;
  /** As untypedExact with overlapping spans. */
  untypedPartial: Score;
}

const CORE_TYPES = new Set<EntityType>(['PER', 'ORG', 'LOC']);

/**
 * Scores predictions per document, summed over documents (micro-average). Typed scores ignore MISC on both
 * sides: GUM's "abstract"/"object" classes are not what our MISC means.
 */
export function scoreNer(docs: ReadonlyArray<{ gold: readonly GoldMention[]; predicted: readonly Entity[] }>): NerScores {
  const totals = { te: 0, tp: 0, ue: 0, up: 0, predTyped: 0, goldTyped: 0, predAll: 0, goldAll: 0 };
  for (const { gold, predicted } of docs) {
    const goldTyped = gold.filter((g) => CORE_TYPES.has(g.type));
    const predTyped = predicted.filter((p) => CORE_TYPES.has(p.type));
    totals.te += countMatches(predTyped, goldTyped, true, false);
    totals.tp += countMatches(predTyped, goldTyped, true, true);
    totals.ue += countMatches(predicted, gold, false, false);
    totals.up += countMatches(predicted, gold, false, true);
    totals.predTyped += predTyped.length;
    totals.goldTyped += goldTyped.length;
    totals.predAll += predicted.length;
    totals.goldAll += gold.length;
  }
  return {
    typedExact: score(totals.te, totals.predTyped, totals.goldTyped),
    typedPartial: score(totals.tp, totals.predTyped, totals.goldTyped),
    untypedExact: score(totals.ue, totals.predAll, totals.goldAll),
    untypedPartial: score(totals.up, totals.predAll, totals.goldAll),
  };
}

/** Plain-text table of the scores, one row per variant. */
export function formatNerScores(s: NerScores): string {
  const pct = (x: number): string => x.toFixed(3);
  const rows = Object.entries(s).map(
    ([name, v]: [string, Score]) =>
      `${name.padEnd(15)} | ${pct(v.precision)} | ${pct(v.recall)} | ${pct(v.f1)} | ${String(v.tp).padStart(4)} | ${String(v.fp).padStart(4)} | ${String(v.fn).padStart(4)}`,
  );
  return ['variant         | P     | R     | F1    |   tp |   fp |   fn', ...rows].join('\n');
}
