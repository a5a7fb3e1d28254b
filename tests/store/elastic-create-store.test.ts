/**
 * STORE=elasticsearch selects the Elasticsearch article store and keeps the catalog in SQLite (decisions §2).
 * No request is sent: building the stores opens no connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { createStores } from '../../store/create-store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('createStores', () => {
  it('STORE=elasticsearch: articles in Elasticsearch, catalog in the SQLite file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nm-es-create-'));
    dirs.push(dir);
    const config = loadConfig({ STORE: 'elasticsearch', ELASTICSEARCH_URL: 'http://127.0.0.1:9', DATA_DIR: dir });
    const stores = createStores(config);
    expect(stores.articles.kind).toBe('elasticsearch');
    await stores.catalog.upsertAlert({ id: 'chem', name: 'Chemical', query: 'chemical', createdAt: '2024-01-01T00:00:00.000Z' });
    expect((await stores.catalog.listAlerts()).map((a) => a.id)).toEqual(['chem']);
    await stores.close();
  });

  it('STORE=sqlite (default) keeps both in SQLite', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nm-es-create-'));
    dirs.push(dir);
    const stores = createStores(loadConfig({ DATA_DIR: dir }));
    expect(stores.articles.kind).toBe('sqlite');
    await stores.close();
  });
});
