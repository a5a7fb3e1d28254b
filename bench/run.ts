/**
 * `npm run bench`: prints one table. Machines here are noisy 2-core boxes, so every figure is a median over
 * N runs (BENCH_RUNS, default 3) and ratios are taken against a baseline measured in the same process.
 * BENCH_ONLY=pipeline,fetch runs a subset.
 */
import os from 'node:os';
import { pino } from 'pino';
import { corpusAvailable, CORPUS_FILE } from './corpus-feeds.ts';
import { benchEnrichment } from './enrichment.ts';
import { benchFetch } from './fetch.ts';
import { benchPipeline } from './pipeline.ts';
import { benchSearch } from './search.ts';
import { formatTable, type BenchRow } from './table.ts';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const only = new Set((process.env.BENCH_ONLY ?? '').split(',').filter(Boolean));
const wanted = (section: string): boolean => only.size === 0 || only.has(section);
const logger = pino({ level: 'silent' });
const rows: BenchRow[] = [];

if (wanted('fetch')) rows.push(...(await benchFetch(logger, runs)));
if (wanted('pipeline')) {
  if (corpusAvailable()) rows.push(...(await benchPipeline(logger, runs)));
  else {
    process.stderr.write(`bench: ${CORPUS_FILE} not found; the pipeline section needs the shared corpus beside the checkout\n`);
    process.exitCode = 1;
  }
}
if (wanted('enrichment')) {
  if (corpusAvailable()) rows.push(...(await benchEnrichment(runs)));
  else {
    process.stderr.write(`bench: ${CORPUS_FILE} not found; the enrichment section needs the shared corpus beside the checkout\n`);
    process.exitCode = 1;
  }
}
// Builds (once, cached in the OS temp dir) a BENCH_SEARCH_SIZE-article archive, default 1M (11 GB): ~20 min the first
// time on a quiet 2-core box (~820 articles/s), twice that when the box is busy.
if (wanted('search')) {
  rows.push(...(await benchSearch(logger, { runs: Math.max(runs, 5), progress: (line) => process.stderr.write(`${line}\n`) })));
}
process.stdout.write(`${formatTable(rows)}\n`);
process.stdout.write(`node ${process.version}, ${os.cpus().length} cores; medians of N runs\n`);
