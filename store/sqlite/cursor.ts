/**
 * Keyset cursor of search pages: the (date, id) of the last hit, as opaque base64url. Stable under inserts,
 * unlike an offset, because hits are ordered by exactly (date DESC, id DESC).
 */
import { ValidationError } from '../../core/errors.ts';

/** Position after which the next page starts. `date` is an ISO datetime as stored. */
export interface SearchCursor {
  date: string;
  id: string;
}

/** Encodes the last hit of a page. */
export function encodeCursor(cursor: SearchCursor): string {
  return Buffer.from(`${cursor.date}|${cursor.id}`, 'utf8').toString('base64url');
}

/**
 * Decodes a cursor from a client.
 * @throws ValidationError (code `invalid_cursor`) when it was not produced by {@link encodeCursor}.
 */
export function decodeCursor(raw: string): SearchCursor & { dateMs: number } {
  const invalid = () => new ValidationError('invalid_cursor', 'search: invalid cursor');
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw invalid();
  const decoded = Buffer.from(raw, 'base64url').toString('utf8');
  const bar = decoded.indexOf('|');
  if (bar <= 0) throw invalid();
  const date = decoded.slice(0, bar);
  const id = decoded.slice(bar + 1);
  const dateMs = Date.parse(date);
  if (!Number.isFinite(dateMs) || id.length === 0 || id.length > 200) throw invalid();
  return { date, id, dateMs };
}

/**
 * Position after the last hit of a relevance-sorted page: its score, date and id. Scores are IEEE doubles written
 * with JavaScript's shortest round-trip form, so the decoded number equals the stored one bit for bit and the
 * keyset comparison in the next page is exact. A score depends on corpus statistics (document count, average
 * length, term frequencies): pages are consistent for a fixed index, and an insert between two pages can shift
 * the order a little, as in any search engine's score-based paging.
 */
export interface RelevanceCursor extends SearchCursor {
  score: number;
}

const RELEVANCE_TAG = 'r';

/** Encodes the last hit of a relevance page. */
export function encodeRelevanceCursor(cursor: RelevanceCursor): string {
  return Buffer.from(`${RELEVANCE_TAG}|${String(cursor.score)}|${cursor.date}|${cursor.id}`, 'utf8').toString('base64url');
}

/**
 * Decodes a relevance cursor from a client.
 * @throws ValidationError (code `invalid_cursor`) when it was not produced by {@link encodeRelevanceCursor}
 * (a date-sort cursor included).
 */
export function decodeRelevanceCursor(raw: string): RelevanceCursor & { dateMs: number } {
  const invalid = () => new ValidationError('invalid_cursor', 'search: invalid cursor (not a relevance cursor)');
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw invalid();
  const parts = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  if (parts.length < 4 || parts[0] !== RELEVANCE_TAG) throw invalid();
  const score = Number(parts[1]);
  const date = parts[2] ?? '';
  const id = parts.slice(3).join('|');
  const dateMs = Date.parse(date);
  if (parts[1] === '' || !Number.isFinite(score) || !Number.isFinite(dateMs) || id.length === 0 || id.length > 200) throw invalid();
  return { score, date, id, dateMs };
}
