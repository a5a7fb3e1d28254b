/**
 * `npm run bench`: prints one table. Machines here are noisy 2-core boxes, so every figure is a median over
 * N runs and ratios are taken against a baseline measured in the same process.
 */
import { pino } from 'pino';
import { corpusAvailable, CORPUS_FILE } from './corpus-feeds.ts';
import { benchPipeline } from './pipeline.ts';
import { formatTable, type BenchRow } from './table.ts';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const logger = pino({ level: 'silent' });
const rows: BenchRow[] = [];

if (!corpusAvailable()) {
  process.stderr.write(`bench: ${CORPUS_FILE} not found; the pipeline section needs the shared corpus beside the checkout\n`);
  process.exitCode = 1;
} else {
  rows.push(...(await benchPipeline(logger, runs)));
}
process.stdout.write(`${formatTable(rows)}\n`);
process.stdout.write(`node ${process.version}, ${(await import('node:os')).cpus().length} cores; medians of N runs\n`);
