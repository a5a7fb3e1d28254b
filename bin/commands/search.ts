/** `search <query>`: the query language from the shell, printing one hit per line. */
import type { Config } from '../../core/config.ts';
import type { Logger } from '../../core/logger.ts';
import { parseQuery } from '../../core/query/parse.ts';
import { QuerySyntaxError } from '../../core/errors.ts';
import { createQueryResolver } from '../../dashboard/api/resolve-query.ts';
import { openRuntime } from '../runtime.ts';

/** Snippets carry <mark> and HTML escapes for the browser; the terminal gets plain text with the match in [brackets]. */
function snippetForTerminal(html: string): string {
  return html
    .replace(/<mark>/g, '[')
    .replace(/<\/mark>/g, ']')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

export async function runSearch(config: Config, logger: Logger, text: string, limit: number): Promise<number> {
  const runtime = openRuntime(config, logger);
  try {
    let query;
    try {
      query = parseQuery(text, await createQueryResolver(runtime.stores.catalog));
    } catch (err) {
      if (err instanceof QuerySyntaxError) {
        process.stderr.write(`search: ${err.message}\n  ${text}\n  ${' '.repeat(err.position)}^\n`);
        return 2;
      }
      throw err;
    }
    const result = await runtime.stores.articles.search(query, { limit });
    process.stdout.write(`${result.total} articles match\n`);
    for (const hit of result.hits) {
      const date = `${hit.date.slice(0, 10)}${hit.dateIsFallback ? '*' : ''}`;
      process.stdout.write(`${date}  ${hit.outletId}  ${hit.title}\n    ${hit.url}\n    ${snippetForTerminal(hit.snippet)}\n`);
    }
    if (result.hits.some((h) => h.dateIsFallback)) process.stdout.write('* first-seen date: the feed gave no publication date\n');
    return 0;
  } finally {
    await runtime.close();
  }
}
