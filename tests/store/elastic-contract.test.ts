/**
 * The ArticleStore contract against a real Elasticsearch cluster, when ELASTICSEARCH_URL names one. Every test
 * gets its own index prefix and deletes its indices, templates and policy afterwards. Without the variable the
 * suite is skipped, and says so.
 */
import { randomBytes } from 'node:crypto';
import { describe } from 'vitest';
import { createElasticClient } from '../../store/elastic/client.ts';
import { createElasticArticleStore } from '../../store/elastic/elastic-article-store.ts';
import { elasticNames } from '../../store/elastic/mapping.ts';
import { runArticleStoreContract } from './article-store.contract.ts';

const url = process.env.ELASTICSEARCH_URL;
if (!url) {
  // Loud on purpose: a green run without this suite must not be mistaken for a tested Elasticsearch adapter.
  console.warn(
    'ELASTICSEARCH_URL is not set: the ArticleStore contract suite against Elasticsearch is SKIPPED. ' +
      'Set ELASTICSEARCH_URL=http://127.0.0.1:9200 (a disposable cluster) to run it.',
  );
}

const run = randomBytes(4).toString('hex');
let seq = 0;

describe.skipIf(!url)('Elasticsearch store against ELASTICSEARCH_URL', () => {
  runArticleStoreContract('elasticsearch', async ({ alerts }) => {
    const prefix = `nmtest-${run}-${++seq}-`;
    const names = elasticNames(prefix);
    const client = createElasticClient({ url: url ?? '', maxRetries: 1 });
    const store = createElasticArticleStore({
      client,
      prefix,
      alertWebhook: async (id) => alerts.find((a) => a.id === id)?.webhookUrl ?? null,
    });
    return {
      store,
      cleanup: async () => {
        // Wildcard deletes are refused by default (action.destructive_requires_name): resolve, then delete by name.
        const indices = Object.keys(await client.indices.get({ index: names.allIndicesPattern, allow_no_indices: true }));
        if (indices.length > 0) await client.indices.delete({ index: indices });
        for (const name of [names.articlesTemplate, names.alertEventsTemplate, names.deadLettersTemplate, names.titleClaimsTemplate]) {
          await client.indices.deleteIndexTemplate({ name }, { ignore: [404] });
        }
        await client.ilm.deleteLifecycle({ name: names.articlesPolicy }, { ignore: [404] });
        await client.close();
      },
    };
  });
});
