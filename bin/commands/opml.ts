/**
 * `feeds import <file.opml>` and `feeds export [file]`: move a feed list between Narrative Monitor and other
 * readers, through the same import and export code as /api/opml and the same URL policy as `feeds add`.
 */
import fs from 'node:fs';
import type { Config } from '../../core/config.ts';
import { ValidationError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { decodeOpmlBytes } from '../../core/opml.ts';
import { exportOpml, importOpml } from '../../dashboard/api/routes/opml.ts';
import { createUrlChecker, openRuntime } from '../runtime.ts';

function readFile(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const reason = err instanceof Error && 'code' in err ? String(err.code) : String(err);
    throw new ValidationError('file_unreadable', `feeds import: cannot read ${file} (${reason})`, { cause: err });
  }
}

/**
 * Imports an OPML file. Prints what was added, each refused URL with its reason, and each problem found in
 * the document. Exit code 1 when any feed was refused (the others are imported all the same).
 */
export async function importOpmlFile(config: Config, logger: Logger, file: string): Promise<number> {
  const xml = decodeOpmlBytes(readFile(file));
  const runtime = openRuntime(config, logger);
  try {
    const result = await importOpml(
      { catalog: runtime.stores.catalog, checkFeedUrl: createUrlChecker(config), now: runtime.now, logger: runtime.logger },
      xml,
    );
    // Reasons and problems quote the document; control characters were already dropped by the parser.
    const lines = [
      `imported ${result.imported} feeds (${result.alreadyPresent} already present) into ${result.outlets} outlets (${result.outletsCreated} new); ${result.skipped.length} refused`,
      ...result.skipped.map((s) => `  refused ${s.url}: ${s.reason}`),
      ...result.problems.map((p) => `  note: ${p}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return result.skipped.length > 0 ? 1 : 0;
  } finally {
    await runtime.close();
  }
}

/** Writes every feed as OPML to `file`, or to stdout when no file is given (nothing else goes to stdout then). */
export async function exportOpmlFile(config: Config, logger: Logger, file: string | undefined): Promise<number> {
  const runtime = openRuntime(config, logger);
  try {
    const opml = await exportOpml(runtime.stores.catalog, runtime.now());
    if (file === undefined) {
      process.stdout.write(opml);
    } else {
      fs.writeFileSync(file, opml);
      const feeds = (await runtime.stores.catalog.listFeeds()).length;
      process.stdout.write(`exported ${feeds} feeds to ${file}\n`);
    }
    return 0;
  } finally {
    await runtime.close();
  }
}
