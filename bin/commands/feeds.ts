/**
 * `feeds add` and `feeds list|health`: manage feeds from the shell, with the same checks as the API, and
 * see every feed's health with the problems first (or as JSON Lines for scripts).
 */
import type { Config } from '../../core/config.ts';
import { slugify } from '../../core/ids.ts';
import type { Logger } from '../../core/logger.ts';
import type { Feed, FeedStatus } from '../../core/types.ts';
import { createUrlChecker, openRuntime } from '../runtime.ts';

export async function addFeed(config: Config, logger: Logger, url: string, outletName: string | undefined): Promise<number> {
  const refusal = await createUrlChecker(config)(url);
  if (refusal) {
    process.stderr.write(`feeds add: refused ${url}: ${refusal}\n`);
    return 1;
  }
  const runtime = openRuntime(config, logger);
  try {
    const { catalog } = runtime.stores;
    const name = outletName ?? new URL(url).hostname.replace(/^www\./, '');
    const outlets = await catalog.listOutlets();
    const wanted = name.toLowerCase();
    let outlet = outlets.find((o) => o.id === wanted || o.name.toLowerCase() === wanted);
    if (!outlet) {
      outlet = { id: slugify(name), name, tags: [] };
      await catalog.upsertOutlet(outlet);
    }
    const feed = await catalog.addFeed(url, outlet.id, runtime.now());
    process.stdout.write(`feed ${feed.id} (${feed.url}) for outlet ${outlet.name}\n`);
    return 0;
  } finally {
    await runtime.close();
  }
}

/** A feed with its outlet's display name, as the health table shows it. */
export type FeedHealthRow = Feed & { outletName: string };

const STATE_LABELS: Record<FeedStatus, string> = {
  error: 'error',
  gone: 'gone',
  new: 'new',
  not_modified: 'not modified',
  ok: 'ok',
};

/** Failing feeds first (longest failure streak first), then gone, then never fetched, then healthy. */
const STATE_RANK: Record<FeedStatus, number> = { error: 0, gone: 1, new: 2, not_modified: 3, ok: 3 };

/** Sorts so the feeds that need attention come first; ties by outlet name, then URL. */
export function sortByHealth<T extends FeedHealthRow>(feeds: readonly T[]): T[] {
  return [...feeds].sort(
    (a, b) =>
      STATE_RANK[a.lastStatus] - STATE_RANK[b.lastStatus] ||
      b.consecutiveFailures - a.consecutiveFailures ||
      a.outletName.localeCompare(b.outletName) ||
      a.url.localeCompare(b.url),
  );
}

/** "12 feeds: 9 ok, 2 failing, 1 gone, 0 new" — ok counts "not modified" too. */
export function summarizeFeeds(feeds: readonly Feed[]): string {
  const count = (states: readonly FeedStatus[]): number => feeds.filter((f) => states.includes(f.lastStatus)).length;
  return `${feeds.length} feeds: ${count(['ok', 'not_modified'])} ok, ${count(['error'])} failing, ${count(['gone'])} gone, ${count(['new'])} new`;
}

/** Names, URLs and error messages come from feeds and users: control characters must not reach the terminal. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001F\u007F-\u009F]/g, ' ');
}

function cell(value: string | number | null, width: number): string {
  const text = value === null || value === '' ? '-' : printable(String(value));
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

/** "2018-02-20 13:00" (UTC), or null. */
function minute(iso: string | null): string | null {
  return iso ? iso.slice(0, 16).replace('T', ' ') : null;
}

const COLUMNS: ReadonlyArray<readonly [string, number, (f: FeedHealthRow) => string | number | null]> = [
  ['STATE', 12, (f) => STATE_LABELS[f.lastStatus]],
  ['OUTLET', 18, (f) => f.outletName],
  ['HTTP', 4, (f) => f.lastHttpStatus],
  ['FAILS', 5, (f) => f.consecutiveFailures],
  ['LAST ERROR', 44, (f) => (f.lastErrorCode ? `${f.lastErrorCode}${f.lastError ? `: ${f.lastError}` : ''}` : null)],
  ['LAST SUCCESS', 16, (f) => minute(f.lastSuccessAt)],
  ['NEXT CHECK', 16, (f) => (f.lastStatus === 'gone' ? 'never (gone)' : minute(f.nextCheckAt))],
  ['ART/DAY', 7, (f) => f.articlesPerDay.toFixed(1)],
  ['ARTICLES', 8, (f) => f.articleCount],
];

/** The health table, one line per feed in the given order, URL last so it is never cut. Times are UTC. */
export function formatFeedTable(feeds: readonly FeedHealthRow[]): string {
  const header = `${COLUMNS.map(([title, width]) => cell(title, width)).join(' ')} URL`;
  const rows = feeds.map((f) => `${COLUMNS.map(([, width, value]) => cell(value(f), width)).join(' ')} ${printable(f.url)}`);
  return [header, ...rows].join('\n');
}

export interface ListFeedsOptions {
  /** JSON Lines (one feed object per line) instead of the table. */
  json: boolean;
}

/** `feeds list` / `feeds health`: every feed with its health, problems first, and a summary line. */
export async function listFeeds(config: Config, logger: Logger, options: ListFeedsOptions = { json: false }): Promise<number> {
  const runtime = openRuntime(config, logger);
  try {
    const [feeds, outlets, counts] = await Promise.all([
      runtime.stores.catalog.listFeeds(),
      runtime.stores.catalog.listOutlets(),
      runtime.stores.articles.articleCountsByFeed(),
    ]);
    const names = new Map(outlets.map((o) => [o.id, o.name]));
    const rows = sortByHealth(
      // The article store is authoritative for counts, as in GET /api/feeds.
      feeds.map((f) => ({ ...f, articleCount: counts.get(f.id) ?? f.articleCount, outletName: names.get(f.outletId) ?? f.outletId })),
    );
    if (options.json) {
      process.stdout.write(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    } else {
      process.stdout.write(`${formatFeedTable(rows)}\n${summarizeFeeds(rows)} (times UTC)\n`);
    }
    return 0;
  } finally {
    await runtime.close();
  }
}
