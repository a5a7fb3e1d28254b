import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStores, type SqliteStores } from '../../store/sqlite/open-database.ts';
import { createWebhookDeliverer, retryDelayMs, type WebhookPayload } from '../../worker/alerts/deliver-webhooks.ts';
import { createArticleProcessor } from '../../worker/processors/process-articles.ts';
import { silentLogger } from '../helpers/silent-logger.ts';
import { SEED_ACTORS, seedArticle } from './seed-watchlist.ts';

interface Receiver {
  url: string;
  requests: Array<{ status: number; body: string; contentType: string | undefined }>;
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 answering with the given statuses in turn (the last one repeats). */
async function startReceiver(statuses: number[]): Promise<Receiver> {
  const requests: Receiver['requests'] = [];
  const read = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server: Server = createServer((req, res) => {
    void read(req).then((body) => {
      const status = statuses[Math.min(requests.length, statuses.length - 1)] ?? 200;
      requests.push({ status, body, contentType: req.headers['content-type'] });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('createWebhookDeliverer', () => {
  let dir: string;
  let stores: SqliteStores;
  let receiver: Receiver | undefined;
  let clock: Date;
  const now = (): Date => clock;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nm-webhooks-'));
    stores = openSqliteStores(path.join(dir, 'nm.db'));
    clock = new Date('2018-02-13T12:00:00.000Z');
    for (const actor of SEED_ACTORS) await stores.catalog.upsertActor(actor);
  });
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function alertOnSeed(webhookUrl: string): Promise<string> {
    await stores.catalog.upsertAlert({
      id: 'helmets',
      name: 'White Helmets + chlorine',
      query: 'actor:white-helmets AND chlorine',
      webhookUrl,
      createdAt: clock.toISOString(),
    });
    const process = createArticleProcessor({ store: stores.articles, catalog: stores.catalog, logger: silentLogger, now });
    const { alertEvents } = await process([seedArticle()]);
    expect(alertEvents).toHaveLength(1);
    return alertEvents[0]?.id ?? '';
  }

  const advance = (ms: number): void => {
    clock = new Date(clock.getTime() + ms);
  };

  it('retries with backoff after two 500s, then delivers exactly once', async () => {
    receiver = await startReceiver([500, 500, 200]);
    const eventId = await alertOnSeed(receiver.url);
    const deliverer = createWebhookDeliverer({ store: stores.articles, catalog: stores.catalog, logger: silentLogger, now });

    expect(await deliverer.deliverDue()).toBe(1);
    expect(await deliverer.deliverDue()).toBe(0); // not due again until the backoff has passed
    advance(retryDelayMs(1) - 1000);
    expect(await deliverer.deliverDue()).toBe(0);
    advance(1000);
    expect(await deliverer.deliverDue()).toBe(1);
    advance(retryDelayMs(2));
    expect(await deliverer.deliverDue()).toBe(1);
    advance(3_600_000);
    expect(await deliverer.deliverDue()).toBe(0);

    expect(receiver.requests.map((r) => r.status)).toEqual([500, 500, 200]);
    const ok = receiver.requests.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(ok[0]?.contentType).toBe('application/json');
    const body = JSON.parse(ok[0]?.body ?? '{}') as WebhookPayload;
    expect(body.article.id).toBe(seedArticle().id);
    expect(body.article.url).toBe(seedArticle().url);
    expect(body.alert).toEqual({ id: 'helmets', name: 'White Helmets + chlorine', query: 'actor:white-helmets AND chlorine' });
    expect(body.event.id).toBe(eventId);

    const [event] = await stores.articles.listAlertEvents('helmets', 10);
    expect(event?.deliveryStatus).toBe('delivered');
    expect(event?.deliveryAttempts).toBe(3);
  });

  it('marks the event failed after maxAttempts', async () => {
    receiver = await startReceiver([503]);
    await alertOnSeed(receiver.url);
    const deliverer = createWebhookDeliverer({
      store: stores.articles,
      catalog: stores.catalog,
      logger: silentLogger,
      now,
      maxAttempts: 3,
    });
    for (let i = 0; i < 5; i++) {
      await deliverer.deliverDue();
      advance(3_600_000);
    }
    expect(receiver.requests).toHaveLength(3);
    const [event] = await stores.articles.listAlertEvents('helmets', 10);
    expect(event?.deliveryStatus).toBe('failed');
    expect(event?.lastDeliveryError).toBe('http_503');
  });

  it('records a timeout as a retryable failure', async () => {
    const hanging = createServer(() => {
      // Never answers.
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const { port } = hanging.address() as AddressInfo;
    try {
      await alertOnSeed(`http://127.0.0.1:${port}/slow`);
      const deliverer = createWebhookDeliverer({
        store: stores.articles,
        catalog: stores.catalog,
        logger: silentLogger,
        now,
        timeoutMs: 200,
      });
      expect(await deliverer.deliverDue()).toBe(1);
      const [event] = await stores.articles.listAlertEvents('helmets', 10);
      expect(event?.deliveryStatus).toBe('pending');
      expect(event?.deliveryAttempts).toBe(1);
      expect(event?.lastDeliveryError).toMatch(/timeout|abort/i);
      expect(event?.nextDeliveryAt).toBe(new Date(clock.getTime() + retryDelayMs(1)).toISOString());
    } finally {
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });

  it('caps the backoff at one hour', () => {
    expect(retryDelayMs(1)).toBe(30_000);
    expect(retryDelayMs(2)).toBe(60_000);
    expect(retryDelayMs(20)).toBe(3_600_000);
  });
});
