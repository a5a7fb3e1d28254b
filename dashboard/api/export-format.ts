/**
 * Serializes an export: CSV (RFC 4180 quoting, spreadsheet-formula guard, `#` metadata lines first) and JSON
 * Lines (a `_meta` object first). Pure: the route streams the strings these return.
 */
import type { ExportRow } from '../../store/article-store.ts';
import type { AppliedFilters } from './schemas.ts';

/** What every export records about itself, for citation. */
export interface ExportMeta {
  query: string;
  filters: AppliedFilters;
  /** ISO instant the export started. */
  exportedAt: string;
  /** Matching articles when the export started. */
  total: number;
  /** "narrative-monitor <version>". */
  software: string;
}

/** One exported article with the outlet's display name. */
export type ExportRecord = Omit<ExportRow, 'outletId'> & { outlet: string; outletName: string };

/** CSV columns, in order (also the JSON Lines keys). */
export const EXPORT_COLUMNS = [
  'id', 'date', 'dateIsFallback', 'publishedAt', 'firstSeenAt', 'outlet', 'outletName', 'language', 'title', 'url',
  'actors', 'themes', 'keywords', 'clusterId',
] as const satisfies readonly (keyof ExportRecord)[];

/** Separator of list cells (actors, themes, keywords) in CSV; JSON Lines keeps arrays. */
export const CSV_LIST_SEPARATOR = '; ';

/** The record of a stored row. */
export function toExportRecord(row: ExportRow, outletName: string): ExportRecord {
  const { outletId, ...rest } = row;
  return { ...rest, outlet: outletId, outletName };
}

/**
 * Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"): = + - @, and tab / carriage
 * return, which some spreadsheets skip before looking for those.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field. A value starting like a formula gets a leading apostrophe (spreadsheets show the text instead of
 * evaluating it; the apostrophe is visible to other readers, which is the documented price). Then RFC 4180: a field
 * with a comma, a double quote, CR or LF is enclosed in double quotes, inner quotes doubled.
 */
export function csvField(value: string): string {
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}

/** One CSV record with its CRLF line end (RFC 4180). */
export function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

function cellOf(record: ExportRecord, column: (typeof EXPORT_COLUMNS)[number]): string {
  const v = record[column];
  if (Array.isArray(v)) return v.join(CSV_LIST_SEPARATOR);
  if (v === null) return '';
  return String(v);
}

/** The CSV record of one article. */
export function csvRecord(record: ExportRecord): string {
  return csvLine(EXPORT_COLUMNS.map((c) => cellOf(record, c)));
}

/** Line breaks and other control characters would end a comment line early: they become spaces. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ');
}

/** Metadata lines before the CSV header: always this many, so a reader can skip them (`skiprows`). */
export const CSV_META_LINES = 6;

/**
 * The start of a CSV export: CSV_META_LINES comment lines (`# key: value`; filters as JSON) and the header record.
 * Comment lines are not part of RFC 4180: tell the reader to skip them (pandas `skiprows=6`, R `skip = 6`).
 */
export function csvHead(meta: ExportMeta): string {
  const lines = [
    '# Narrative Monitor search export',
    `# query: ${oneLine(meta.query)}`,
    `# filters: ${oneLine(JSON.stringify(meta.filters))}`,
    `# exportedAt: ${meta.exportedAt}`,
    `# total: ${meta.total}`,
    `# software: ${oneLine(meta.software)}`,
  ];
  return `${lines.join('\r\n')}\r\n${csvLine(EXPORT_COLUMNS)}`;
}

/** The first JSON Lines line: `{"_meta": {...}}`. */
export function jsonlHead(meta: ExportMeta): string {
  return `${JSON.stringify({ _meta: meta })}\n`;
}

/** One JSON Lines line; keys in EXPORT_COLUMNS order. */
export function jsonlRecord(record: ExportRecord): string {
  const ordered: Record<string, unknown> = {};
  for (const c of EXPORT_COLUMNS) ordered[c] = record[c];
  return `${JSON.stringify(ordered)}\n`;
}

/** Attachment file name: `narrative-monitor-export-20180301T120000Z.csv` (the export time, UTC). */
export function exportFileName(exportedAt: string, format: 'csv' | 'jsonl'): string {
  const stamp = exportedAt.replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  return `narrative-monitor-export-${stamp}.${format}`;
}
