/**
 * OPML: GET /api/opml downloads every outlet and feed as OPML 2.0; POST /api/opml imports an OPML document
 * (the request body), checking every feed URL like POST /api/feeds. The import and export functions are
 * also what the CLI's `feeds import|export` runs.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { feedId } from '../../../core/ids.ts';
import type { Logger } from '../../../core/logger.ts';
import { decodeOpmlBytes, parseOpml, planOpmlImport, renderOpml, type OpmlExportOutlet } from '../../../core/opml.ts';
import type { CatalogStore } from '../../../store/catalog-store.ts';
import type { ApiDeps } from '../deps.ts';
import type { ErrorResponse, OpmlImportResponse } from '../schemas.ts';

/** Largest OPML document accepted: a 10,000-feed export is about 3 MiB. */
export const OPML_MAX_BYTES = 5 * 1024 * 1024;

/** URL checks resolve DNS; a few at a time keeps a big import quick without flooding the resolver. */
const CHECK_CONCURRENCY = 8;

const OPML_CONTENT_TYPES = new Set(['text/xml', 'application/xml', 'text/x-opml', 'application/x-opml', 'application/opml+xml']);

export interface OpmlImportDeps {
  catalog: CatalogStore;
  /** The same URL policy as adding one feed: null = allowed, else the reason. */
  checkFeedUrl: (url: string) => Promise<string | null>;
  now: () => Date;
  logger?: Logger;
}

async function checkAll(urls: readonly string[], check: (url: string) => Promise<string | null>): Promise<Map<string, string>> {
  const refused = new Map<string, string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < urls.length) {
      const url = urls[next++]!;
      const reason = await check(url);
      if (reason !== null) refused.set(url, reason);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHECK_CONCURRENCY, urls.length) }, worker));
  return refused;
}

/**
 * Imports an OPML document: parses it (ValidationError `opml_invalid` when it is not OPML), refuses the
 * feed URLs the policy refuses (reported, not fatal), upserts the outlets of the accepted feeds with their
 * tags merged, and adds the feeds. Idempotent: importing the same document twice adds nothing new, and a
 * feed already stored stays with its outlet.
 */
export async function importOpml(deps: OpmlImportDeps, xml: string): Promise<OpmlImportResponse> {
  const parsed = parseOpml(xml);
  const refused = await checkAll(
    parsed.outlets.flatMap((o) => o.feeds),
    deps.checkFeedUrl,
  );
  const accepted = parsed.outlets.map((o) => ({ ...o, feeds: o.feeds.filter((f) => !refused.has(f)) }));
  const plan = planOpmlImport(accepted, await deps.catalog.listOutlets());
  const now = deps.now();
  let imported = 0;
  let alreadyPresent = 0;
  let outletsCreated = 0;
  for (const entry of plan) {
    if (entry.changed) await deps.catalog.upsertOutlet(entry.outlet);
    if (entry.isNew) outletsCreated += 1;
    for (const url of entry.feeds) {
      if ((await deps.catalog.getFeed(feedId(url))) !== null) {
        alreadyPresent += 1;
        continue;
      }
      await deps.catalog.addFeed(url, entry.outlet.id, now);
      imported += 1;
    }
  }
  const skipped = [...refused].map(([url, reason]) => ({ url, reason }));
  deps.logger?.info({ imported, alreadyPresent, skipped: skipped.length, outlets: plan.length, outletsCreated }, 'opml imported');
  return { imported, alreadyPresent, skipped, outlets: plan.length, outletsCreated, problems: parsed.problems };
}

/** Every outlet that has feeds, with its feeds, as an OPML 2.0 document. */
export async function exportOpml(catalog: CatalogStore, now: Date): Promise<string> {
  const [outlets, feeds] = await Promise.all([catalog.listOutlets(), catalog.listFeeds()]);
  const byOutlet = new Map<string, OpmlExportOutlet>(outlets.map((o) => [o.id, { ...o, feeds: [] }]));
  const feedsOf = new Map<string, { url: string; title: string | null }[]>();
  for (const feed of feeds) {
    const list = feedsOf.get(feed.outletId) ?? [];
    list.push({ url: feed.url, title: feed.title });
    feedsOf.set(feed.outletId, list);
  }
  const withFeeds: OpmlExportOutlet[] = [];
  for (const [outletId, list] of feedsOf) {
    // A feed whose outlet row is missing still belongs in the export, under an outlet named by its id.
    const outlet = byOutlet.get(outletId) ?? { id: outletId, name: outletId, tags: [], feeds: [] };
    withFeeds.push({ ...outlet, feeds: list });
  }
  return renderOpml(withFeeds, { title: 'Narrative Monitor feeds', dateCreated: now });
}

/** `narrative-monitor-feeds-2018-03-01.opml` */
export function opmlFileName(now: Date): string {
  return `narrative-monitor-feeds-${now.toISOString().slice(0, 10)}.opml`;
}

export function opmlRoutes(deps: ApiDeps) {
  const log = deps.logger.child({ component: 'api' });
  return new Hono()
    .get('/', async (c) => {
      const now = deps.now();
      const body = await exportOpml(deps.catalog, now);
      return c.body(body, 200, {
        'Content-Type': 'text/x-opml; charset=utf-8',
        'Content-Disposition': `attachment; filename="${opmlFileName(now)}"`,
        'Cache-Control': 'no-store',
      });
    })
    .post(
      '/',
      bodyLimit({
        maxSize: OPML_MAX_BYTES,
        onError: (c) =>
          c.json({ error: { code: 'payload_too_large', message: `an OPML document may be at most ${OPML_MAX_BYTES} bytes` } } satisfies ErrorResponse, 413),
      }),
      async (c) => {
        const type = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
        if (!OPML_CONTENT_TYPES.has(type)) {
          const body: ErrorResponse = {
            error: { code: 'unsupported_media_type', message: 'send the OPML document as the body with Content-Type text/x-opml, text/xml or application/xml' },
          };
          return c.json(body, 415);
        }
        const xml = decodeOpmlBytes(new Uint8Array(await c.req.arrayBuffer()));
        const result = await importOpml({ catalog: deps.catalog, checkFeedUrl: deps.checkFeedUrl, now: deps.now, logger: log }, xml);
        return c.json(result, 200);
      },
    );
}
