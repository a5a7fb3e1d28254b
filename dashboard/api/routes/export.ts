/**
 * GET /api/export: the whole result set of a search as a CSV or JSON Lines download, streamed from the store's
 * keyset pages (never the whole set in memory), with the query, filters, export time and total recorded first.
 */
import { createRequire } from 'node:module';
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import type { ExportRow } from '../../../store/article-store.ts';
import type { ApiDeps } from '../deps.ts';
import { zodHook } from '../errors.ts';
import { csvHead, csvRecord, exportFileName, jsonlHead, jsonlRecord, toExportRecord, type ExportMeta } from '../export-format.ts';
import { loadCatalogLookup } from '../resolve-query.ts';
import { ExportQuerySchema } from '../schemas.ts';
import { resolveSearch } from '../search-request.ts';

const packageInfo = createRequire(import.meta.url)('../../../package.json') as { name: string; version: string };

/** Rows of text gathered per stream chunk: small enough to stay streaming, large enough to amortize the writes. */
const CHUNK_CHARS = 64 * 1024;

const CONTENT_TYPE = {
  csv: 'text/csv; charset=utf-8; header=present',
  jsonl: 'application/x-ndjson; charset=utf-8',
} as const;

export function exportRoutes(deps: ApiDeps) {
  const log = deps.logger.child({ component: 'api-export' });
  return new Hono().get('/', zValidator('query', ExportQuerySchema, zodHook), async (c) => {
    const params = c.req.valid('query');
    const lookup = await loadCatalogLookup(deps.catalog);
    // Every parameter error is a 400 here, before the first byte of the download.
    const { query, range, outlets, filters } = resolveSearch(params, lookup);
    const { total } = await deps.articles.search(query, { ...range, outlets, limit: 1 });
    const exportedAt = deps.now().toISOString();
    const meta: ExportMeta = {
      query: params.q,
      filters,
      exportedAt,
      total,
      software: `${packageInfo.name} ${deps.version ?? packageInfo.version}`,
    };
    const format = params.format;
    const rows = deps.articles.exportArticles(query, { ...range, ...(outlets ? { outlets } : {}) })[Symbol.asyncIterator]();
    const line = (row: ExportRow): string => {
      const record = toExportRecord(row, lookup.outletName(row.outletId) ?? row.outletId);
      return format === 'csv' ? csvRecord(record) : jsonlRecord(record);
    };
    const encoder = new TextEncoder();
    let exported = 0;
    // Pull-based: the next rows are read only when the client has taken the previous chunk.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(format === 'csv' ? csvHead(meta) : jsonlHead(meta)));
      },
      async pull(controller) {
        try {
          let text = '';
          while (text.length < CHUNK_CHARS) {
            const next = await rows.next();
            if (next.done) {
              if (text) controller.enqueue(encoder.encode(text));
              controller.close();
              log.info({ format, rows: exported, total }, 'export finished');
              return;
            }
            text += line(next.value);
            exported++;
          }
          controller.enqueue(encoder.encode(text));
        } catch (err) {
          // The status line is sent already: the client sees a cut-off download (fewer rows than `total`).
          log.error({ err, format, rows: exported, total }, 'export failed');
          controller.error(err);
        }
      },
      async cancel() {
        await rows.return?.();
      },
    });
    return c.body(body, 200, {
      'content-type': CONTENT_TYPE[format],
      'content-disposition': `attachment; filename="${exportFileName(exportedAt, format)}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
  });
}
