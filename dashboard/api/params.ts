/**
 * Request-parameter helpers shared by the routes: user queries parsed against the catalog, date ranges
 * normalized to UTC, outlet lists resolved to ids. Each failure names the parameter it is about.
 */
import { QuerySyntaxError, ValidationError } from '../../core/errors.ts';
import type { QueryNode } from '../../core/query/ast.ts';
import { parseQuery } from '../../core/query/parse.ts';
import type { DateRange } from '../../store/article-store.ts';
import { invalidRequest } from './errors.ts';
import type { CatalogLookup } from './resolve-query.ts';

/**
 * Parses a query typed by a user. Query errors keep their code and position and gain `param` (e.g.
 * "q.1" for the second trends series) so the UI can underline the right input.
 */
export function parseUserQuery(text: string, lookup: CatalogLookup, param: string): QueryNode {
  try {
    return parseQuery(text, lookup.resolve);
  } catch (err) {
    if (err instanceof QuerySyntaxError) {
      throw new ValidationError(err.code, err.message, { cause: err, details: { position: err.position, param } });
    }
    throw err;
  }
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A date parameter as the stores compare it; datetimes without a zone are taken as UTC. */
function normalizeDate(value: string, param: string): { iso: string; ms: number } {
  const withZone = DATE_ONLY.test(value) || /(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}Z`;
  const ms = Date.parse(withZone);
  if (Number.isNaN(ms)) throw invalidRequest(param, `"${value}" is not a valid date`);
  const iso = new Date(ms).toISOString();
  // Date.parse rolls 2018-02-31 over to March; a calendar date must round-trip to be accepted.
  if (DATE_ONLY.test(value) && iso.slice(0, 10) !== value) throw invalidRequest(param, `"${value}" is not a valid date`);
  return { iso: DATE_ONLY.test(value) ? value : iso, ms };
}

/** Validated range: `from` inclusive, `to` exclusive, both UTC; also the epoch millis for bucketing. */
export interface ParsedRange {
  range: DateRange;
  fromMs?: number;
  toMs?: number;
}

export function parseRange(from: string | undefined, to: string | undefined): ParsedRange {
  const out: ParsedRange = { range: {} };
  if (from !== undefined) {
    const d = normalizeDate(from, 'from');
    out.range.from = d.iso;
    out.fromMs = d.ms;
  }
  if (to !== undefined) {
    const d = normalizeDate(to, 'to');
    out.range.to = d.iso;
    out.toMs = d.ms;
  }
  if (out.fromMs !== undefined && out.toMs !== undefined && out.fromMs >= out.toMs) {
    throw invalidRequest('to', 'must be after from');
  }
  return out;
}

/** Comma-separated outlet ids or names → ids; undefined when the parameter is absent or empty. */
export function parseOutlets(value: string | undefined, lookup: CatalogLookup): string[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) return undefined;
  return names.map((name) => {
    const id = lookup.resolve('outlet', name);
    if (id === null) {
      throw new ValidationError('unknown_outlet', `outlet: no outlet "${name}" in the catalog`, { details: { param: 'outlet' } });
    }
    return id;
  });
}
