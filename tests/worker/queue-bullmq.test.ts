/** Runs against the real Redis on 127.0.0.1:6379 (CI starts it); each test uses its own key prefix. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { createBullmqQueue } from '../../worker/queue/bullmq-queue.ts';
import { silentLogger } from '../helpers/silent-logger.ts';
import { runWorkQueueContract } from './work-queue.contract.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefixes: string[] = [];

afterAll(async () => {
  const redis = new Redis(REDIS_URL);
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
});

runWorkQueueContract('BullMQ on Redis', {
  uniqueName: () => {
    const prefix = `nmtest-${randomUUID().slice(0, 8)}`;
    prefixes.push(prefix);
    return prefix;
  },
  open: async (prefix) =>
    createBullmqQueue({ redisUrl: REDIS_URL, prefix, logger: silentLogger, attempts: 2, retryDelayMs: 50, batchWindowMs: 10 }),
});
