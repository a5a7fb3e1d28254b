/** `feeds add` and `feeds list`: manage feeds from the shell, with the same checks as the API. */
import type { Config } from '../../core/config.ts';
import { slugify } from '../../core/ids.ts';
import type { Logger } from '../../core/logger.ts';
import type { Feed } from '../../core/types.ts';
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

function cell(value: string | number | null, width: number): string {
  const text = value === null ? '-' : String(value);
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

export function formatFeedTable(feeds: readonly Feed[]): string {
  const header = `${cell('STATUS', 13)} ${cell('ARTICLES', 8)} ${cell('FAILS', 5)} ${cell('LAST ERROR', 28)} ${cell('NEXT CHECK', 20)} URL`;
  const rows = feeds.map(
    (f) =>
      `${cell(f.lastStatus, 13)} ${cell(f.articleCount, 8)} ${cell(f.consecutiveFailures, 5)} ` +
      `${cell(f.lastErrorCode ? `${f.lastErrorCode}: ${f.lastError ?? ''}` : null, 28)} ${cell(f.nextCheckAt.slice(0, 19), 20)} ${f.url}`,
  );
  return [header, ...rows].join('\n');
}

export async function listFeeds(config: Config, logger: Logger): Promise<number> {
  const runtime = openRuntime(config, logger);
  try {
    const feeds = await runtime.stores.catalog.listFeeds();
    process.stdout.write(`${formatFeedTable(feeds)}\n${feeds.length} feeds\n`);
    return 0;
  } finally {
    await runtime.close();
  }
}
