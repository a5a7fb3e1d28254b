/**
 * An article's title and body tokenized once (core/query/tokenize.ts, the FTS5-compatible tokenizer) and shared by
 * every enrichment step: actors, keywords and themes all read the same tokens instead of re-tokenizing.
 */
import { tokenizeWithOffsets, type TokenWithOffsets } from '../../core/query/tokenize.ts';

/** Title and body with their tokens. Build with {@link analyzeText}; never mutate. */
export interface AnalyzedText {
  readonly title: string;
  readonly text: string;
  /** Tokens of `title`, offsets into `title`. */
  readonly titleTokens: readonly TokenWithOffsets[];
  /** Tokens of `text`, offsets into `text`. */
  readonly bodyTokens: readonly TokenWithOffsets[];
  /** Just the normalized token strings of `titleTokens`. */
  readonly titleWords: readonly string[];
  /** Just the normalized token strings of `bodyTokens`. */
  readonly bodyWords: readonly string[];
}

/** Tokenizes title and body (separately: a phrase never spans them, as in FTS5 columns). */
export function analyzeText(title: string, text: string): AnalyzedText {
  const titleTokens = tokenizeWithOffsets(title);
  const bodyTokens = tokenizeWithOffsets(text);
  return {
    title,
    text,
    titleTokens,
    bodyTokens,
    titleWords: titleTokens.map((t) => t.token),
    bodyWords: bodyTokens.map((t) => t.token),
  };
}
