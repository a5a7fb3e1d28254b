/** The one place that chooses the work-queue adapter, from configuration, once at start-up. */
import path from 'node:path';
import type { Config } from '../../core/config.ts';
import type { Logger } from '../../core/logger.ts';
import type { WorkQueue } from '../../core/work-queue.ts';
import { createBullmqQueue } from './bullmq-queue.ts';
import { createEmbeddedQueue } from './embedded-queue.ts';

export function createWorkQueue(config: Config, logger: Logger): WorkQueue {
  if (config.queue.kind === 'bullmq') {
    return createBullmqQueue({ redisUrl: config.queue.redisUrl, prefix: config.queue.prefix, logger });
  }
  return createEmbeddedQueue({ path: path.join(config.dataDir, 'queue.db'), logger });
}
