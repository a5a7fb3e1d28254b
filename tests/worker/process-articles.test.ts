import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../core/types.ts';
import { openSqliteStores, type SqliteStores } from '../../store/sqlite/open-database.ts';
import {
  createArticleProcessor,
  createCatalogWatchlistSource,
  type WatchlistSource,
} from '../../worker/processors/process-articles.ts';
import { silentLogger } from '../helpers/silent-logger.ts';
import { SEED_ACTORS, STAGED_CHEMICAL_ATTACK, seedArticle } from './seed-watchlist.ts';

const NOW = new Date('2018-02-13T12:00:00.000Z');

function alert(id: string, query: string, webhookUrl?: string): Alert {
  return { id, name: id, query, createdAt: NOW.toISOString(), ...(webhookUrl ? { webhookUrl } : {}) };
}

describe('createArticleProcessor with the SQLite stores', () => {
  let dir: string;
  let stores: SqliteStores;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nm-process-'));
    stores = openSqliteStores(path.join(dir, 'nm.db'));
    for (const actor of SEED_ACTORS) await stores.catalog.upsertActor(actor);
    await stores.catalog.upsertTheme(STAGED_CHEMICAL_ATTACK);
    await stores.catalog.upsertAlert(alert('helmets-chlorine', 'chlorine AND actor:"White Helmets"', 'http://127.0.0.1:9/hook'));
    await stores.catalog.upsertAlert(alert('staged-theme', 'theme:"staged chemical attack"'));
    await stores.catalog.upsertAlert(alert('russian-only', 'lang:ru'));
  });
  afterEach(async () => {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function processor(watchlist?: WatchlistSource) {
    return createArticleProcessor({
      store: stores.articles,
      catalog: stores.catalog,
      logger: silentLogger,
      now: () => NOW,
      ...(watchlist ? { watchlist } : {}),
    });
  }

  it('stores enriched articles once and creates each alert event once', async () => {
    const process = processor();
    const seed = seedArticle();
    const other = seedArticle({ id: 'b'.repeat(32), title: 'Weather in Paris', text: 'Sunny with light winds.' });

    const first = await process([seed, other, seed]);
    expect(first.inserted.sort()).toEqual([seed.id, other.id].sort());
    expect(first.duplicates).toEqual([seed.id]);
    expect(first.failed).toEqual([]);
    expect(first.alertEvents.map((e) => e.alertId).sort()).toEqual(['helmets-chlorine', 'staged-theme']);
    expect(first.alertEvents.every((e) => e.articleId === seed.id)).toBe(true);
    const webhookEvent = first.alertEvents.find((e) => e.alertId === 'helmets-chlorine');
    expect(webhookEvent?.deliveryStatus).toBe('pending');

    const second = await process([seed, other]);
    expect(second.inserted).toEqual([]);
    expect(second.duplicates.sort()).toEqual([seed.id, other.id].sort());
    expect(second.alertEvents).toEqual([]);

    expect(await stores.articles.count()).toBe(2);
    expect(await stores.articles.listAlertEvents('helmets-chlorine', 10)).toHaveLength(1);
    expect(await stores.articles.listAlertEvents('russian-only', 10)).toHaveLength(0);
    const stored = await stores.articles.getArticle(seed.id);
    expect(stored?.language).toBe('en');
    expect(stored?.actors).toContain('white-helmets');
    expect(stored?.themes).toEqual(['staged-chemical-attack']);
    expect(stored?.keywords).toContain('chlorine');
  });

  it('picks up actors and alerts added to the catalog after it was created', async () => {
    const process = processor();
    await process([seedArticle()]);

    await stores.catalog.upsertActor({ id: 'saraqib', name: 'Saraqib', type: 'place', aliases: ['Sarakeb'] });
    await stores.catalog.upsertAlert(alert('saraqib-watch', 'actor:saraqib'));
    const later = seedArticle({ id: 'c'.repeat(32), title: 'Sarakeb again', text: 'Residents of Sarakeb filmed cylinders.' });
    const result = await process([later]);

    expect(result.alertEvents.map((e) => e.alertId)).toEqual(['saraqib-watch']);
    expect((await stores.articles.getArticle(later.id))?.actors).toEqual(['saraqib']);
  });

  it('skips a stored alert whose query no longer compiles and still applies the others', async () => {
    await stores.catalog.upsertAlert(alert('broken', 'actor:"nobody we know"'));
    const result = await processor()([seedArticle()]);
    expect(result.alertEvents.map((e) => e.alertId).sort()).toEqual(['helmets-chlorine', 'staged-theme']);
  });

  it('leaves out an article whose enrichment throws and stores the rest of the batch', async () => {
    const real = createCatalogWatchlistSource({ catalog: stores.catalog, logger: silentLogger });
    const poisoned: WatchlistSource = {
      async current() {
        const compiled = await real.current();
        return {
          ...compiled,
          enrich: (raw) => {
            if (raw.id === 'd'.repeat(32)) throw new Error('boom');
            return compiled.enrich(raw);
          },
        };
      },
    };
    const bad = seedArticle({ id: 'd'.repeat(32) });
    const good = seedArticle({ id: 'e'.repeat(32) });
    const result = await processor(poisoned)([bad, good]);
    expect(result.failed).toEqual([bad.id]);
    expect(result.inserted).toEqual([good.id]);
    expect(await stores.articles.existingIds([bad.id, good.id])).toEqual(new Set([good.id]));
  });

  it('recompiles the watchlist only when it changed', async () => {
    const source = createCatalogWatchlistSource({ catalog: stores.catalog, logger: silentLogger });
    const a = await source.current();
    expect(await source.current()).toBe(a);
    await stores.catalog.upsertTheme({ id: 'cylinders', name: 'cylinders', query: 'cylinders' });
    const b = await source.current();
    expect(b).not.toBe(a);
    expect(b.fingerprint).not.toBe(a.fingerprint);
  });
});
