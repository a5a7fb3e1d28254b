/**
 * GET /api/openapi.json: an OpenAPI 3.1 description of the API. Parameter and body schemas are generated from the
 * same zod schemas the routes validate with (z.toJSONSchema); a hand-kept table adds what zod does not know (method,
 * path, summary, statuses, the fields of TS-only responses). tests/dashboard/api-openapi.test.ts fails when a route
 * registered in the app has no entry here.
 */
import { createRequire } from 'node:module';
import { Hono } from 'hono';
import { z } from 'zod';
import { ActorSchema, OutletSchema, ThemeSchema } from '../../core/types.ts';
import {
  ActorBodySchema,
  AddFeedBodySchema,
  AlertBodySchema,
  AlertEventsQuerySchema,
  ClusterQuerySchema,
  CoOccurrenceQuerySchema,
  ExportQuerySchema,
  FeedsQuerySchema,
  SearchQuerySchema,
  ThemeBodySchema,
  TopTermsQuerySchema,
  TrendsQuerySchema,
} from './schemas.ts';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1) as a plain object. */
export type JsonSchema = Record<string, unknown>;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The response of one status: a zod schema where one exists, otherwise the top-level fields of the TS interface. */
export interface ResponseDoc {
  description: string;
  /** Zod schema of the body (its output side: what the server sends). */
  schema?: z.ZodType;
  /**
   * Top-level fields of a body declared only as a TypeScript interface in schemas.ts: name → short description.
   * Rendered as an object schema listing the fields (their inner shapes are described in docs/api.md).
   */
  fields?: Record<string, string>;
  /** Fields present only in some answers (listed in `properties`, not in `required`). */
  optionalFields?: Record<string, string>;
  /** One or several media types. @defaultValue 'application/json' */
  contentType?: string | readonly string[];
}

/** One operation of the hand-kept table. */
export interface OperationDoc {
  method: HttpMethod;
  /** The path as hono registers it, e.g. `/api/articles/:id`. */
  path: string;
  summary: string;
  /** Grouping in viewers (Swagger UI, Redoc). */
  tag: string;
  pathParams?: Record<string, string>;
  /** zod object validating the query string (its input side: what clients send). */
  query?: z.ZodObject;
  /** zod schema validating the JSON body. */
  body?: z.ZodType;
  /** A non-JSON body (OPML import). */
  rawBody?: { contentTypes: string[]; description: string; maxBytes: number };
  /** Success responses by status. */
  responses: Record<number, ResponseDoc>;
  /** Error statuses this operation can answer besides 400/401/403/413/500, e.g. 404, 415. */
  errors?: number[];
}

const SEARCH_HIT_FIELDS = 'id, title, url, outletId, feedId, publishedAt, firstSeenAt, date, dateIsFallback, language, actors, themes, keywords, snippet (HTML-escaped text with <mark> highlights), clusterId, clusterSize';

/** Every route of the API. Keep in step with dashboard/api/app.ts: the OpenAPI test compares both. */
export const API_OPERATIONS: readonly OperationDoc[] = [
  {
    method: 'GET',
    path: '/api/openapi.json',
    summary: 'This OpenAPI 3.1 document',
    tag: 'meta',
    responses: { 200: { description: 'The OpenAPI document.', fields: { openapi: '"3.1.0"', info: 'title, version', paths: 'one entry per route', components: 'schemas' } } },
  },
  {
    method: 'GET',
    path: '/api/health',
    summary: 'Liveness and counts',
    tag: 'meta',
    responses: {
      200: {
        description: 'The server is up.',
        fields: {
          status: '"ok"',
          store: '"sqlite" or "elasticsearch"',
          queue: '"embedded" or "bullmq"',
          articles: 'stored articles',
          feeds: 'feeds in the catalog',
          version: 'package version',
        },
      },
    },
  },
  {
    method: 'GET',
    path: '/api/search',
    summary: 'Search articles, one page at a time (newest first; cursor pagination)',
    tag: 'search',
    query: SearchQuerySchema,
    responses: {
      200: {
        description: `A page of hits. Each hit has ${SEARCH_HIT_FIELDS}.`,
        fields: {
          query: 'the query text as given',
          total: 'matching articles (all pages)',
          hits: 'this page, in `sort` order',
          nextCursor: 'pass as `cursor` for the next page; null on the last page',
          sort: '"date" or "relevance"',
          filters: 'the filters applied beside q, resolved to ids (from, to, outlet, lang, actor, theme, collection, country)',
        },
        optionalFields: { facets: 'per requested field, [{value, label, count}] over the whole result set, most frequent first' },
      },
    },
  },
  {
    method: 'GET',
    path: '/api/export',
    summary: 'The whole result set of a search as a CSV or JSON Lines download (streamed), with the query, filters and export time recorded first',
    tag: 'search',
    query: ExportQuerySchema,
    responses: {
      200: {
        description:
          'CSV (RFC 4180, `#` metadata lines first) or JSON Lines (a `_meta` object first), newest first: one row per article with id, date, outlet, language, title, url, actors, themes, keywords, cluster. A download cut short has fewer rows than the recorded total.',
        contentType: ['text/csv', 'application/x-ndjson'],
      },
    },
  },
  {
    method: 'GET',
    path: '/api/trends',
    summary: 'Article or story counts over time, one series per `q` (repeat `q` for several series)',
    tag: 'search',
    query: TrendsQuerySchema,
    responses: {
      200: {
        description:
          'Dense series on one shared bucket grid. Each series: query, label, group? (with breakdown), points [{t, count, total?, share?, covered}], total, fallbackDateCount.',
        fields: {
          interval: 'bucket size',
          timeZone: 'canonical IANA zone of the buckets',
          series: 'one per q (per q and group with breakdown), in request order',
          count: '"copies" or "stories"',
          normalized: 'whether points carry total and share',
          buckets: 'every bucket start of the grid',
          end: 'end of the last bucket, or null',
          coverageSince: 'oldest fetch-log entry the coverage flags come from, or null',
        },
        optionalFields: { breakdown: '"outlet" or "tag", when requested' },
      },
    },
  },
  {
    method: 'GET',
    path: '/api/terms',
    summary: 'Most frequent keywords, actors, themes, entities, outlets or languages among the matches of a query',
    tag: 'search',
    query: TopTermsQuerySchema,
    responses: { 200: { description: 'Most frequent first.', fields: { field: 'the counted field', terms: '[{term, count}]' } } },
  },
  {
    method: 'GET',
    path: '/api/cooccurrence',
    summary: 'Actor x theme co-occurrence among the articles matching q, overall and per bucket (heatmap data)',
    tag: 'search',
    query: CoOccurrenceQuerySchema,
    responses: {
      200: {
        description: 'Every actor x theme pair, zeros included.',
        fields: {
          actors: '[{id, name}] rows, in the order given',
          themes: '[{id, name}] columns, in the order given',
          cells: '[{actor, theme, count}] every pair',
          interval: 'bucket size, or null without `interval`',
          timeZone: 'canonical IANA zone of the buckets',
          buckets: 'with interval: [{t, end, cells}] every bucket of the grid, with its non-zero cells',
        },
      },
    },
  },
  {
    method: 'GET',
    path: '/api/articles/:id',
    summary: 'One stored article with its syndication cluster',
    tag: 'articles',
    pathParams: { id: 'article id (32 hex characters)' },
    responses: {
      200: {
        description:
          'The article (id, url, canonicalUrl, feedId, outletId, guid, title, text, publishedAt, firstSeenAt, author, language, languageConfidence, keywords, entities, actors, themes, date, dateIsFallback, summary?) plus clusterId, clusterSize and clusterOriginId.',
      },
    },
    errors: [404],
  },
  {
    method: 'GET',
    path: '/api/clusters/:id',
    summary: 'One syndication cluster: its origin and every copy',
    tag: 'articles',
    pathParams: { id: 'cluster id (the id of its first stored article)' },
    query: ClusterQuerySchema,
    responses: {
      200: {
        description: 'Members in origin order, each with id, title, url, outletId, date, dateIsFallback, firstSeenAt, delayHours.',
        fields: { id: 'cluster id', originId: 'earliest member', size: 'all members', members: 'origin first, at most `limit`', outletNames: 'outlet id → name' },
      },
    },
    errors: [404],
  },
  {
    method: 'GET',
    path: '/api/feeds',
    summary: 'Feeds with their health, and how many are in each state',
    tag: 'catalog',
    query: FeedsQuerySchema,
    responses: {
      200: {
        description: 'Feeds (with outletName and articleCount) and per-state counts over all feeds.',
        fields: { feeds: 'feeds, filtered by `status` when given', counts: 'new, ok, not_modified, error, gone, total' },
      },
    },
  },
  {
    method: 'POST',
    path: '/api/feeds',
    summary: 'Add a feed (the URL must pass the outbound URL policy)',
    tag: 'catalog',
    body: AddFeedBodySchema,
    responses: { 201: { description: 'The feed was added (the stored Feed, with outletName).' }, 200: { description: 'The feed was already stored.' } },
  },
  {
    method: 'GET',
    path: '/api/outlets',
    summary: 'Outlets',
    tag: 'catalog',
    responses: { 200: { description: 'Every outlet.', schema: z.object({ outlets: z.array(OutletSchema) }) } },
  },
  {
    method: 'GET',
    path: '/api/opml',
    summary: 'Download every outlet and feed as OPML 2.0',
    tag: 'catalog',
    responses: { 200: { description: 'An OPML 2.0 document (attachment).', contentType: 'text/x-opml' } },
  },
  {
    method: 'POST',
    path: '/api/opml',
    summary: 'Import an OPML document (feeds grouped by outlet)',
    tag: 'catalog',
    rawBody: { contentTypes: ['text/x-opml', 'text/xml', 'application/xml'], description: 'An OPML 1.0/2.0 document.', maxBytes: 5 * 1024 * 1024 },
    responses: {
      200: {
        description: 'What the import did.',
        fields: {
          imported: 'feeds added',
          alreadyPresent: 'feeds already stored',
          skipped: '[{url, reason}] refused by the URL policy',
          outlets: 'outlets the accepted feeds belong to',
          outletsCreated: 'outlets created',
          problems: 'outlines skipped or repaired',
        },
      },
    },
    errors: [415],
  },
  {
    method: 'GET',
    path: '/api/actors',
    summary: 'Watchlist actors',
    tag: 'watchlist',
    responses: { 200: { description: 'Every actor.', schema: z.object({ actors: z.array(ActorSchema) }) } },
  },
  {
    method: 'POST',
    path: '/api/actors',
    summary: 'Create or replace an actor',
    tag: 'watchlist',
    body: ActorBodySchema,
    responses: { 201: { description: 'Created.', schema: ActorSchema }, 200: { description: 'Replaced.', schema: ActorSchema } },
  },
  {
    method: 'GET',
    path: '/api/themes',
    summary: 'Themes (saved queries that tag articles)',
    tag: 'watchlist',
    responses: { 200: { description: 'Every theme.', schema: z.object({ themes: z.array(ThemeSchema) }) } },
  },
  {
    method: 'POST',
    path: '/api/themes',
    summary: 'Create or replace a theme; queues a re-tag of the stored articles',
    tag: 'watchlist',
    body: ThemeBodySchema,
    responses: {
      201: { description: 'Created: the theme plus `retag`, its re-tag job (themeId, query, status, done, total, added, removed, requestedAt, startedAt, finishedAt, error).' },
      200: { description: 'Replaced: the theme plus `retag` (a new job when the query changed).' },
    },
  },
  {
    method: 'GET',
    path: '/api/themes/retag',
    summary: "Every theme's latest re-tag job",
    tag: 'watchlist',
    responses: { 200: { description: 'Re-tag jobs.', fields: { jobs: 'one RetagJobView per theme that has a job' } } },
  },
  {
    method: 'GET',
    path: '/api/themes/:id/retag',
    summary: "One theme's re-tag progress",
    tag: 'watchlist',
    pathParams: { id: 'theme id' },
    responses: {
      200: {
        description: 'The job.',
        fields: {
          themeId: 'theme id',
          query: 'the theme query being applied',
          status: 'pending, running, done or failed',
          done: 'articles examined',
          total: 'articles to examine',
          added: 'articles that gained the theme',
          removed: 'articles that lost it',
          requestedAt: 'ISO time',
          startedAt: 'ISO time or null',
          finishedAt: 'ISO time or null',
          error: 'why it failed, or null',
        },
      },
    },
    errors: [404],
  },
  {
    method: 'GET',
    path: '/api/alerts',
    summary: 'Keyword alerts',
    tag: 'alerts',
    responses: { 200: { description: 'Every alert with id, name, query, webhookUrl?, createdAt, eventCount.', fields: { alerts: 'AlertView list' } } },
  },
  {
    method: 'POST',
    path: '/api/alerts',
    summary: 'Create or replace an alert',
    tag: 'alerts',
    body: AlertBodySchema,
    responses: { 201: { description: 'Created (an AlertView).' }, 200: { description: 'Replaced (an AlertView).' } },
  },
  {
    method: 'GET',
    path: '/api/alerts/:id/events',
    summary: "An alert's events, newest first",
    tag: 'alerts',
    pathParams: { id: 'alert id' },
    query: AlertEventsQuerySchema,
    responses: {
      200: {
        description: 'Events (id, alertId, articleId, createdAt, deliveryStatus, deliveryAttempts, lastDeliveryError, nextDeliveryAt) with a short `article`.',
        fields: { events: 'newest first, at most `limit`' },
      },
    },
    errors: [404],
  },
];

/** The error body every failure carries (ErrorResponse in schemas.ts, a TS interface: written out here). */
const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'stable machine code, e.g. invalid_request, query_syntax, not_found' },
        message: { type: 'string' },
        position: { type: 'integer', description: '0-based position of a query error' },
        param: { type: 'string', description: 'the parameter or body field at fault, e.g. "q" or "q.1"' },
      },
    },
  },
};

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid parameter or body, or a query error (with `param` and `position`).',
  401: 'A write without the bearer token (when the server requires one).',
  403: 'Writes are disabled: the server requires a token but none is configured.',
  404: 'No such resource.',
  413: 'Body too large.',
  415: 'Unsupported body content type.',
  500: 'Internal error (details in the server log).',
};

/** `/api/articles/:id` → `/api/articles/{id}`. */
export function toOpenApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function componentName(op: OperationDoc, suffix: string): string {
  const words = op.path
    .replace(/^\/api\//, '')
    .split(/[/.:]+/)
    .filter((w) => w !== '' && w !== 'json')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  return `${op.method.charAt(0)}${op.method.slice(1).toLowerCase()}${words.join('')}${suffix}`;
}

function responseSchema(doc: ResponseDoc): JsonSchema | undefined {
  if (doc.schema) return jsonSchemaOf(doc.schema, 'output');
  if (doc.fields) {
    const all = { ...doc.fields, ...doc.optionalFields };
    return {
      type: 'object',
      required: Object.keys(doc.fields),
      properties: Object.fromEntries(Object.entries(all).map(([name, description]) => [name, { description }])),
    };
  }
  return undefined;
}

/** Builds the OpenAPI 3.1 document from {@link API_OPERATIONS}. */
export function buildOpenApiDocument(version: string, operations: readonly OperationDoc[] = API_OPERATIONS): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, JsonSchema> = { ErrorResponse: ERROR_SCHEMA };
  for (const op of operations) {
    const parameters: JsonSchema[] = [];
    for (const [name, description] of Object.entries(op.pathParams ?? {})) {
      parameters.push({ name, in: 'path', required: true, description, schema: { type: 'string' } });
    }
    if (op.query) {
      const json = jsonSchemaOf(op.query, 'input');
      const required = new Set((json.required as string[] | undefined) ?? []);
      for (const [name, schema] of Object.entries((json.properties as Record<string, JsonSchema> | undefined) ?? {})) {
        parameters.push({
          name,
          in: 'query',
          required: required.has(name),
          schema,
          // A repeated parameter (?q=a&q=b) is how arrays travel: OpenAPI's form style with explode.
          ...(schema.type === 'array' ? { style: 'form', explode: true } : {}),
        });
      }
    }
    const isWrite = op.method !== 'GET';
    const operation: Record<string, unknown> = {
      operationId: componentName(op, ''),
      summary: op.summary,
      tags: [op.tag],
      ...(parameters.length > 0 ? { parameters } : {}),
    };
    if (op.body) {
      const name = componentName(op, 'Body');
      schemas[name] = jsonSchemaOf(op.body, 'input');
      operation.requestBody = { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } };
    } else if (op.rawBody) {
      const raw = op.rawBody;
      operation.requestBody = {
        required: true,
        description: `${raw.description} At most ${raw.maxBytes} bytes.`,
        content: Object.fromEntries(raw.contentTypes.map((t) => [t, { schema: { type: 'string' } }])),
      };
    }
    const responses: Record<string, unknown> = {};
    for (const [status, doc] of Object.entries(op.responses)) {
      const schema = responseSchema(doc);
      let ref: JsonSchema | undefined;
      if (schema) {
        const name = componentName(op, `Response${Object.keys(op.responses).length > 1 ? status : ''}`);
        schemas[name] = schema;
        ref = { $ref: `#/components/schemas/${name}` };
      }
      const types = typeof doc.contentType === 'string' ? [doc.contentType] : (doc.contentType ?? ['application/json']);
      responses[status] = {
        description: doc.description,
        content: Object.fromEntries(types.map((t) => [t, { schema: ref ?? (t === 'application/json' ? { type: 'object' } : { type: 'string' }) }])),
      };
    }
    const errorStatuses = new Set<number>([500, ...(op.errors ?? [])]);
    if (op.query || op.body || op.rawBody || op.pathParams) errorStatuses.add(400);
    if (isWrite) {
      errorStatuses.add(401);
      errorStatuses.add(403);
      errorStatuses.add(413);
    }
    for (const status of [...errorStatuses].sort()) {
      responses[String(status)] = {
        description: ERROR_DESCRIPTIONS[status] ?? `HTTP ${status}`,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } },
      };
    }
    operation.responses = responses;
    if (isWrite) operation.security = [{ bearerAuth: [] }, {}];
    const key = toOpenApiPath(op.path);
    paths[key] = { ...(paths[key] ?? {}), [op.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Narrative Monitor API',
      version,
      description:
        'Search, trends and watchlists over ingested news feeds. Reads are open; writes need `Authorization: Bearer <API_TOKEN>` when the server listens beyond loopback. See docs/api.md.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    paths,
    components: {
      schemas,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'API_TOKEN; required for writes when the server sets requireToken.' } },
    },
  };
}

const packageVersion = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** The route: the document is built once per app (the table and schemas are static). */
export function openApiRoutes(options: { version?: string } = {}) {
  let doc: JsonSchema | null = null;
  return new Hono().get('/', (c) => {
    doc ??= buildOpenApiDocument(options.version ?? packageVersion);
    return c.json(doc, 200);
  });
}
