/**
 * The index templates and ILM policy in infra/elasticsearch/ against what the store writes (a strict mapping
 * rejects any unmapped field), and the bootstrap requests that install them behind aliases.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { TransientError } from '../../core/errors.ts';
import { toDocument } from '../../store/elastic/document.ts';
import { createElasticArticleStore } from '../../store/elastic/elastic-article-store.ts';
import { articlesTemplateBody, elasticNames, ensureIndices } from '../../store/elastic/mapping.ts';
import { FIXTURES } from './article-store.contract.ts';
import { recordingClient } from './elastic-recording-connection.ts';

type Mapping = { dynamic?: string; properties: Record<string, { type?: string; analyzer?: string; properties?: Record<string, unknown>; fields?: Record<string, { type: string; analyzer?: string }> }> };

async function infra(name: string): Promise<{ index_patterns: string[]; template: { settings: Record<string, unknown>; mappings: Mapping; aliases?: Record<string, unknown> } }> {
  return JSON.parse(await readFile(new URL(`../../infra/elasticsearch/${name}`, import.meta.url), 'utf8'));
}

describe('infra/elasticsearch templates', () => {
  it('every template maps strictly', async () => {
    for (const name of ['articles.template.json', 'alert-events.template.json', 'dead-letters.template.json', 'title-claims.template.json']) {
      expect((await infra(name)).template.mappings.dynamic, name).toBe('strict');
    }
  });

  it('maps every field the store writes for an article, and nothing it never writes', async () => {
    const { properties } = (await infra('articles.template.json')).template.mappings;
    const written = new Set<string>();
    for (const a of Object.values(FIXTURES)) {
      for (const k of Object.keys(toDocument({ ...a, summary: 's' }, ['chem'], '2024-01-01T00:00:00.000Z'))) written.add(k);
    }
    expect([...written].sort()).toEqual(Object.keys(properties).sort());
    expect(Object.keys(properties.entities?.properties ?? {}).sort()).toEqual(['end', 'start', 'text', 'type']);
  });

  it('tags are keywords, dates are dates, text has per-language and keyword subfields, norms use the token analyzer', async () => {
    const t = await infra('articles.template.json');
    const p = t.template.mappings.properties;
    for (const f of ['id', 'feedId', 'outletId', 'language', 'actors', 'themes', 'keywords']) expect(p[f]?.type, f).toBe('keyword');
    expect((p.entities?.properties?.text as { type: string }).type).toBe('keyword');
    for (const f of ['date', 'publishedAt', 'firstSeenAt', 'storedAt']) expect(p[f]?.type, f).toBe('date');
    for (const f of ['title', 'text']) {
      expect(p[f]?.analyzer).toBe('nm_folded');
      expect(Object.fromEntries(Object.entries(p[f]?.fields ?? {}).filter(([k]) => k.length === 2).map(([k, v]) => [k, v.analyzer]))).toEqual({
        en: 'english', ru: 'russian', ar: 'arabic', fr: 'french', de: 'german', es: 'spanish',
      });
    }
    expect(p.title?.fields?.keyword?.type).toBe('keyword');
    for (const f of ['titleNorm', 'textNorm']) expect(p[f]?.analyzer).toBe('nm_tokens');
    const analysis = t.template.settings.analysis as { analyzer: Record<string, { tokenizer: string; filter?: string[] }>; tokenizer: Record<string, { type: string }> };
    // Whitespace only, no lowercase or folding: the field already holds our normalized tokens.
    expect(analysis.analyzer.nm_tokens).toEqual({ type: 'custom', tokenizer: 'nm_tokens' });
    expect(analysis.tokenizer.nm_tokens?.type).toBe('whitespace');
    expect(analysis.analyzer.nm_folded?.filter).toEqual(['lowercase', 'asciifolding', 'nm_strip_marks']);
  });

  it('events, dead letters and claims map exactly the fields written', async () => {
    const keys = async (name: string) => Object.keys((await infra(name)).template.mappings.properties).sort();
    expect(await keys('alert-events.template.json')).toEqual(
      ['alertId', 'articleId', 'createdAt', 'deliveryAttempts', 'deliveryStatus', 'id', 'lastDeliveryError', 'nextDeliveryAt'],
    );
    expect(await keys('dead-letters.template.json')).toEqual(
      ['articleId', 'attempts', 'document', 'errorType', 'failedAt', 'reason', 'status', 'targetIndex'],
    );
    expect(await keys('title-claims.template.json')).toEqual(['articleId', 'bucket', 'date', 'outletId', 'titleKey']);
  });

  it('the ILM policy rolls over by size and never deletes the archive', async () => {
    const policy = JSON.parse(await readFile(new URL('../../infra/elasticsearch/articles.ilm.json', import.meta.url), 'utf8'));
    expect(policy.policy.phases.hot.actions.rollover).toEqual({ max_primary_shard_size: '50gb' });
    expect(policy.policy.phases.delete).toBeUndefined();
  });

  it('prefixes patterns, policy, rollover alias and read alias', () => {
    const names = elasticNames('t1-');
    const body = articlesTemplateBody(names) as { index_patterns: string[]; template: { settings: Record<string, unknown>; aliases: unknown } };
    expect(body.index_patterns).toEqual(['t1-articles-*']);
    expect(body.template.settings['index.lifecycle.name']).toBe('t1-articles-policy');
    expect(body.template.settings['index.lifecycle.rollover_alias']).toBe('t1-articles-write');
    expect(body.template.aliases).toEqual({ 't1-articles': {} });
    expect(() => elasticNames('Bad Prefix')).toThrow(/lowercase/);
  });
});

describe('bootstrap', () => {
  it('installs policy and templates, creates the first index behind each missing alias, tolerates a lost race', async () => {
    const { client, requests } = recordingClient([
      ['PUT', /^\/_ilm\/policy\//, () => ({ body: { acknowledged: true } })],
      ['PUT', /^\/_index_template\//, () => ({ body: { acknowledged: true } })],
      ['HEAD', /^\/_alias\/p-article-dead-letters$/, () => ({ body: {} })],
      ['HEAD', /^\/_alias\//, () => ({ status: 404, body: {} })],
      ['PUT', /^\/p-alert-events-000001$/, () => ({ status: 400, body: { error: { type: 'resource_already_exists_exception', reason: 'exists' }, status: 400 } })],
      ['PUT', /^\/p-/, () => ({ body: { acknowledged: true } })],
    ]);
    await ensureIndices(client, elasticNames('p-'));
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /_ilm/policy/p-articles-policy',
      'PUT /_index_template/p-articles',
      'PUT /_index_template/p-alert-events',
      'PUT /_index_template/p-article-dead-letters',
      'PUT /_index_template/p-article-title-claims',
      'HEAD /_alias/p-articles-write',
      'PUT /p-articles-000001',
      'HEAD /_alias/p-alert-events',
      'PUT /p-alert-events-000001',
      'HEAD /_alias/p-article-dead-letters',
      'HEAD /_alias/p-article-title-claims',
      'PUT /p-article-title-claims-000001',
    ]);
    expect(requests[6]?.body).toEqual({ aliases: { 'p-articles-write': { is_write_index: true } } });
    expect((requests[1]?.body as { index_patterns: string[] }).index_patterns).toEqual(['p-articles-*']);
  });

  it('a store whose cluster is unreachable fails with a TransientError and tries again on the next call', async () => {
    let up = false;
    const { client, requests } = recordingClient([
      ['PUT', /^\/_ilm\/policy\//, () => (up ? { body: { acknowledged: true } } : { status: 503, body: { error: { type: 'x', reason: 'starting' }, status: 503 } })],
      ['PUT', /^\/_index_template\//, () => ({ body: { acknowledged: true } })],
      ['HEAD', /^\/_alias\//, () => ({ body: {} })],
      ['GET', /^\/articles\/_count$/, () => ({ body: { count: 12 } })],
    ]);
    const store = createElasticArticleStore({ client });
    await expect(store.count()).rejects.toBeInstanceOf(TransientError);
    up = true;
    expect(await store.count()).toBe(12);
    expect(await store.count()).toBe(12);
    // Bootstrapped once after success: two policy PUTs in all (the failed one and the good one).
    expect(requests.filter((r) => r.path.startsWith('/_ilm/')).length).toBe(2);
  });
});
