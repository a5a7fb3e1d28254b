/**
 * Worker thread of the search bench build: generates synthetic article batches (bench/synthetic-corpus.ts) while the
 * main thread stores the previous batch, so generation and SQLite work use both cores.
 */
import { parentPort } from 'node:worker_threads';
import { readCorpus } from './corpus-feeds.ts';
import { buildCorpusModel, createSyntheticGenerator, phrasesIn } from './synthetic-corpus.ts';
import type { ArticleToStore } from '../store/article-store.ts';

/** A request from the main thread: generate articles start .. start + count - 1. */
export interface GenerateRequest {
  start: number;
  count: number;
}

/** The answer: the articles and, per article, which planted phrases its text contains intact. */
export interface GenerateReply {
  start: number;
  items: ArticleToStore[];
  planted: boolean[][];
}

const generator = createSyntheticGenerator(buildCorpusModel(readCorpus()));
parentPort?.on('message', (req: GenerateRequest) => {
  const indices = Array.from({ length: req.count }, (_, i) => req.start + i);
  const items = indices.map((i) => generator.article(i));
  const reply: GenerateReply = { start: req.start, items, planted: items.map((item) => phrasesIn(item.article.text)) };
  parentPort?.postMessage(reply);
});
