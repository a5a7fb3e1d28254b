/**
 * The `narrative-monitor` command line: parses the command and its flags, loads the config once, and hands
 * over to the composition root. Results go to stdout, logs (pino JSON) to stderr.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { runDemo } from './demo/run-demo.ts';
import { addFeed, listFeeds } from './commands/feeds.ts';
import { exportOpmlFile, importOpmlFile } from './commands/opml.ts';
import { runEnrich } from './commands/enrich.ts';
import { runSearch } from './commands/search.ts';
import { applyWatchlistFile, createFeedPoller, openRuntime, startApi, startWorker } from './runtime.ts';

const USAGE = `Usage: narrative-monitor <command> [options]

Commands:
  start                 everything in one process: scheduler + worker + API/dashboard (embedded default)
  ingest [--once]       poll feeds into the queue; --once polls every feed once and exits when stored
  worker                consume the queue: enrich, store, alert (needs REDIS_URL; 'start' includes it)
  serve                 API + dashboard only
  feeds add <url> [--outlet NAME]
  feeds list|health [--json]   every feed with its health, problems first; --json prints JSON Lines
  feeds import <file.opml>     add an OPML file's outlets and feeds (URLs checked as in 'feeds add')
  feeds export [file]          every outlet and feed as OPML (to stdout without a file)
  search <query> [--limit N]
  enrich [FILE] [--watchlist FILE]
                        JSON Lines {title,text,lang?} in (stdin or FILE), enriched JSON Lines out
  demo                  serve bundled real feeds locally and run the embedded pipeline on them

Configuration comes from environment variables; see README.md ("Configuration").`;

function waitForShutdown(logger: Logger): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, 'shutting down');
      resolve(signal);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

async function commandStart(config: Config, logger: Logger): Promise<void> {
  const runtime = openRuntime(config, logger);
  await applyWatchlistFile(runtime);
  const worker = startWorker(runtime);
  const server = await startApi(runtime);
  const abort = new AbortController();
  const loop = createFeedPoller(runtime).runLoop(abort.signal);
  process.stdout.write(`Narrative Monitor is running: ${server.url}\n`);
  await waitForShutdown(logger);
  abort.abort();
  await loop;
  await server.close();
  await worker.stop();
  await runtime.close();
}

async function commandIngest(config: Config, logger: Logger, once: boolean): Promise<void> {
  const runtime = openRuntime(config, logger);
  await applyWatchlistFile(runtime);
  // With the embedded queue there is no other process to consume it, so ingest also stores.
  const worker = runtime.queue.kind === 'embedded' ? startWorker(runtime) : null;
  const poller = createFeedPoller(runtime);
  if (once) {
    const summary = await poller.pollAll();
    await runtime.queue.drained();
    const t = summary.totals;
    process.stdout.write(
      `polled ${t.feeds} feeds: ${t.ok} ok, ${t.notModified} unchanged, ${t.errors} failed; ${t.enqueued} articles queued\n`,
    );
    for (const f of summary.feeds.filter((x) => x.status === 'error')) {
      process.stdout.write(`  failed: ${f.url} (${f.errorCode ?? 'error'})\n`);
    }
  } else {
    const abort = new AbortController();
    const loop = poller.runLoop(abort.signal);
    await waitForShutdown(logger);
    abort.abort();
    await loop;
  }
  await worker?.stop();
  await runtime.close();
}

async function commandWorker(config: Config, logger: Logger): Promise<void> {
  if (config.queue.kind !== 'bullmq') {
    throw new AppError(
      'worker_needs_redis',
      'worker: a separate worker process needs REDIS_URL (BullMQ); in embedded mode `start` runs the worker itself',
    );
  }
  const runtime = openRuntime(config, logger);
  const worker = startWorker(runtime);
  process.stdout.write(`worker consuming ${config.queue.redisUrl} (prefix ${config.queue.prefix})\n`);
  await waitForShutdown(logger);
  await worker.stop();
  await runtime.close();
}

async function commandServe(config: Config, logger: Logger): Promise<void> {
  const runtime = openRuntime(config, logger);
  const server = await startApi(runtime);
  process.stdout.write(`Narrative Monitor API and dashboard: ${server.url}\n`);
  await waitForShutdown(logger);
  await server.close();
  await runtime.close();
}

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      once: { type: 'boolean', default: false },
      watchlist: { type: 'string' },
      outlet: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (!command || values.help) {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`narrative-monitor: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  try {
    switch (command) {
      case 'start':
        await commandStart(config, logger);
        return 0;
      case 'ingest':
        await commandIngest(config, logger, values.once === true);
        return 0;
      case 'worker':
        await commandWorker(config, logger);
        return 0;
      case 'serve':
        await commandServe(config, logger);
        return 0;
      case 'feeds': {
        const [sub, arg] = rest;
        if (sub === 'add' && arg) return await addFeed(config, logger, arg, values.outlet);
        if (sub === 'list' || sub === 'health') return await listFeeds(config, logger, { json: values.json === true });
        if (sub === 'import' && arg) return await importOpmlFile(config, logger, arg);
        if (sub === 'export') return await exportOpmlFile(config, logger, arg);
        process.stderr.write(
          'usage: narrative-monitor feeds add <url> [--outlet NAME] | feeds list|health [--json] | feeds import <file.opml> | feeds export [file]\n',
        );
        return 2;
      }
      case 'search': {
        const query = rest.join(' ');
        const limit = values.limit === undefined ? 20 : Number(values.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
          process.stderr.write('search: --limit must be a whole number from 1 to 100\n');
          return 2;
        }
        return await runSearch(config, logger, query, limit);
      }
      case 'enrich': {
        const [file] = rest;
        return await runEnrich({
          input: file ? fs.createReadStream(file) : process.stdin,
          output: process.stdout,
          errors: process.stderr,
          watchlistPath:
            values.watchlist ??
            (env.WATCHLIST !== undefined || fs.existsSync(config.watchlistPath) ? config.watchlistPath : null),
        });
      }
      case 'demo':
        return await runDemo(env, logger);
      default:
        process.stderr.write(`narrative-monitor: unknown command "${command}"\n\n${USAGE}\n`);
        return 2;
    }
  } catch (err) {
    if (err instanceof AppError) {
      process.stderr.write(`narrative-monitor: ${err.message}\n`);
      return 1;
    }
    logger.fatal({ err }, 'command failed');
    process.stderr.write(`narrative-monitor: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
