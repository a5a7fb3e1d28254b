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
