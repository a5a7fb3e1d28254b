/**
 * Index layout of the Elasticsearch store: names (with an optional prefix), the index templates and ILM policy
 * read from infra/elasticsearch/*.json, and the idempotent bootstrap that installs them and creates the first
 * concrete index behind each alias.
 */
import alertEventsTemplate from '../../infra/elasticsearch/alert-events.template.json' with { type: 'json' };
import articlesPolicy from '../../infra/elasticsearch/articles.ilm.json' with { type: 'json' };
import articlesTemplate from '../../infra/elasticsearch/articles.template.json' with { type: 'json' };
import deadLettersTemplate from '../../infra/elasticsearch/dead-letters.template.json' with { type: 'json' };
import titleClaimsTemplate from '../../infra/elasticsearch/title-claims.template.json' with { type: 'json' };
import type { ElasticClient } from './client.ts';

/** Every index, alias, template and policy name the store uses. Writes go through aliases only. */
export interface ElasticNames {
  /** Read alias over every articles index (joined automatically by the template). */
  articlesRead: string;
  /** Write alias: exactly one write index at a time, moved by rollover. */
  articlesWrite: string;
  /** The first concrete articles index, created at bootstrap. */
  articlesFirstIndex: string;
  articlesTemplate: string;
  articlesPolicy: string;
  /** Read and write alias of the alert events. */
  alertEvents: string;
  alertEventsFirstIndex: string;
  alertEventsTemplate: string;
  /** Alias of the dead-letter records. */
  deadLetters: string;
  deadLettersFirstIndex: string;
  deadLettersTemplate: string;
  /** Alias of the title-dedupe claims. */
  titleClaims: string;
  titleClaimsFirstIndex: string;
  titleClaimsTemplate: string;
  /** Pattern matching every index of this layout (used by tests to clean up). */
  allIndicesPattern: string;
}

/**
 * The names for a prefix. Index names must be lowercase; the prefix lets tests (and several deployments) share
 * a cluster. "article-" (singular) families never match the "articles-*" template pattern.
 * @param prefix prepended to every name @defaultValue ''
 */
export function elasticNames(prefix = ''): ElasticNames {
  if (prefix !== '' && !/^[a-z0-9][a-z0-9_-]*$/.test(prefix)) {
    throw new Error(`elastic-store: index prefix must be lowercase letters, digits, - and _: ${prefix}`);
  }
  const p = prefix;
  return {
    articlesRead: `${p}articles`,
    articlesWrite: `${p}articles-write`,
    articlesFirstIndex: `${p}articles-000001`,
    articlesTemplate: `${p}articles`,
    articlesPolicy: `${p}articles-policy`,
    alertEvents: `${p}alert-events`,
    alertEventsFirstIndex: `${p}alert-events-000001`,
    alertEventsTemplate: `${p}alert-events`,
    deadLetters: `${p}article-dead-letters`,
    deadLettersFirstIndex: `${p}article-dead-letters-000001`,
    deadLettersTemplate: `${p}article-dead-letters`,
    titleClaims: `${p}article-title-claims`,
    titleClaimsFirstIndex: `${p}article-title-claims-000001`,
    titleClaimsTemplate: `${p}article-title-claims`,
    allIndicesPattern: `${p}*`,
  };
}

type Json = Record<string, unknown>;

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The articles index template for these names: the infra JSON with its patterns, policy and aliases prefixed. */
export function articlesTemplateBody(names: ElasticNames): Json {
  const body = clone(articlesTemplate) as unknown as Json & { template: { settings: Json; aliases: Json } };
  body.index_patterns = [`${names.articlesRead}-*`];
  body.template.settings['index.lifecycle.name'] = names.articlesPolicy;
  body.template.settings['index.lifecycle.rollover_alias'] = names.articlesWrite;
  body.template.aliases = { [names.articlesRead]: {} };
  return body;
}

/** The ILM policy body (unchanged from infra/elasticsearch/articles.ilm.json). */
export function articlesPolicyBody(): Json {
  return clone(articlesPolicy) as unknown as Json;
}

function withPattern(template: unknown, alias: string): Json {
  const body = clone(template) as Json;
  body.index_patterns = [`${alias}-*`];
  return body;
}

/** Template bodies of the small single-index families (events, dead letters, title claims). */
export function auxiliaryTemplateBodies(names: ElasticNames): { name: string; body: Json }[] {
  return [
    { name: names.alertEventsTemplate, body: withPattern(alertEventsTemplate, names.alertEvents) },
    { name: names.deadLettersTemplate, body: withPattern(deadLettersTemplate, names.deadLetters) },
    { name: names.titleClaimsTemplate, body: withPattern(titleClaimsTemplate, names.titleClaims) },
  ];
}

/** The first concrete index of each family and the aliases it starts with. */
export function bootstrapIndices(names: ElasticNames): { index: string; aliases: Record<string, { is_write_index: boolean }> }[] {
  return [
    // The read alias comes from the template; the write alias is set here with is_write_index so that
    // rollover keeps the old index readable through `articles` while new writes move on.
    { index: names.articlesFirstIndex, aliases: { [names.articlesWrite]: { is_write_index: true } } },
    { index: names.alertEventsFirstIndex, aliases: { [names.alertEvents]: { is_write_index: true } } },
    { index: names.deadLettersFirstIndex, aliases: { [names.deadLetters]: { is_write_index: true } } },
    { index: names.titleClaimsFirstIndex, aliases: { [names.titleClaims]: { is_write_index: true } } },
  ];
}

/**
 * Installs the ILM policy and the index templates (idempotent PUTs) and creates the first index behind every
 * alias that does not exist yet. Safe to run from several processes at once: a lost creation race
 * (resource_already_exists_exception) counts as success.
 */
export async function ensureIndices(client: ElasticClient, names: ElasticNames): Promise<void> {
  await client.ilm.putLifecycle({ name: names.articlesPolicy, ...articlesPolicyBody() });
  await client.indices.putIndexTemplate({ name: names.articlesTemplate, ...articlesTemplateBody(names) });
  for (const { name, body } of auxiliaryTemplateBodies(names)) {
    await client.indices.putIndexTemplate({ name, ...body });
  }
  for (const { index, aliases } of bootstrapIndices(names)) {
    const alias = Object.keys(aliases)[0] ?? index;
    if (await client.indices.existsAlias({ name: alias })) continue;
    try {
      await client.indices.create({ index, aliases });
    } catch (err) {
      if (errorType(err) !== 'resource_already_exists_exception') throw err;
    }
  }
}

/** The Elasticsearch error type (`resource_already_exists_exception`, ...) of a client ResponseError, if any. */
export function errorType(err: unknown): string | undefined {
  const body = (err as { meta?: { body?: { error?: { type?: unknown } } } } | null)?.meta?.body;
  const type = body?.error?.type;
  return typeof type === 'string' ? type : undefined;
}
