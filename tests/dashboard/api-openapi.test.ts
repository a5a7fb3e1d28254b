/**
 * GET /api/openapi.json against the real app: every registered route is documented (and nothing else), parameter
 * and body schemas are the zod ones, and documented response fields are the ones the routes really send.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_OPERATIONS, toOpenApiPath } from '../../dashboard/api/openapi.ts';
import { setupApi, type TestEnv } from './api-fixtures.ts';

interface Parameter {
  name: string;
  in: 'query' | 'path';
  required: boolean;
  schema: Record<string, unknown>;
  style?: string;
  explode?: boolean;
}

interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Record<string, unknown> }> }>;
}

interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

let env: TestEnv;
let doc: OpenApiDoc;

beforeAll(async () => {
  env = await setupApi({ version: '9.9.9-test' });
  const res = await env.app.request('/api/openapi.json');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  doc = JSON.parse(await res.text()) as OpenApiDoc;
});

afterAll(async () => {
  await env.cleanup();
});

function operation(method: string, path: string): Operation {
  const op = doc.paths[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`no ${method} ${path} in the document`);
  return op;
}

function param(op: Operation, name: string): Parameter {
  const p = op.parameters?.find((x) => x.name === name);
  if (!p) throw new Error(`no parameter ${name} in ${op.operationId}`);
  return p;
}

function resolveRef(ref: unknown): Record<string, unknown> {
  expect(typeof ref).toBe('string');
  const name = String(ref).replace('#/components/schemas/', '');
  const schema = doc.components.schemas[name];
  if (!schema) throw new Error(`dangling $ref ${String(ref)}`);
  return schema;
}

describe('GET /api/openapi.json', () => {
  it('is an OpenAPI 3.1 document with the server version', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Narrative Monitor API');
    expect(doc.info.version).toBe('9.9.9-test');
  });

  it('documents exactly the routes registered in the app (method + path)', () => {
    // Middleware is registered with method ALL; every handler route has a concrete method.
    const registered = new Set(
      env.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${toOpenApiPath(r.path)}`),
    );
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)),
    );
    const undocumented = [...registered].filter((r) => !documented.has(r));
    const phantom = [...documented].filter((d) => !registered.has(d));
    expect(undocumented, 'routes without an entry in API_OPERATIONS (dashboard/api/openapi.ts)').toEqual([]);
    expect(phantom, 'documented routes the app does not register').toEqual([]);
    expect(registered.size).toBeGreaterThanOrEqual(20);
  });

  it('has unique operation ids, a path parameter for every {param}, and no dangling $ref', () => {
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    for (const [path, ops] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(ops)) {
        const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
        expect(pathParams.map((p) => p.name).sort(), `${op.operationId} path parameters`).toEqual([...names].sort());
        expect(pathParams.every((p) => p.required)).toBe(true);
      }
    }
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) resolveRef(r.slice('"$ref":"'.length, -1));
  });

  it('takes query parameter schemas from the zod schemas (limits, defaults, enums, arrays)', () => {
    const search = operation('GET', '/api/search');
    expect(param(search, 'limit')).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } });
    expect(param(search, 'q').schema).toMatchObject({ type: 'string', maxLength: 4000 });
    expect(param(search, 'from').schema.pattern).toEqual(expect.any(String));

    const trends = operation('GET', '/api/trends');
    expect(param(trends, 'q')).toMatchObject({ required: true, style: 'form', explode: true, schema: { type: 'array', minItems: 1, maxItems: 12 } });
    expect((param(trends, 'interval').schema.enum as string[]).includes('day')).toBe(true);

    expect(param(operation('GET', '/api/alerts/{id}/events'), 'limit').schema).toMatchObject({ minimum: 1, maximum: 200, default: 50 });
    expect(param(operation('GET', '/api/clusters/{id}'), 'limit').schema).toMatchObject({ minimum: 1, maximum: 1000 });
    expect(param(operation('GET', '/api/terms'), 'field').schema.enum).toEqual(
      expect.arrayContaining(['keywords', 'actors', 'themes', 'entities', 'outlet', 'language']),
    );
  });

  it('documents every numeric maximum the API enforces: one above it is a 400 naming the parameter', async () => {
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      const op = ops.get;
      if (!op || path.includes('{')) continue;
      for (const p of op.parameters ?? []) {
        const max = p.schema.maximum;
        if (p.in !== 'query' || typeof max !== 'number') continue;
        // trends needs its required q; the others have no required parameter.
        const base = path === '/api/trends' ? 'q=chemical&' : '';
        const over = await env.app.request(`${path}?${base}${p.name}=${max + 1}`);
        expect(over.status, `${path} ${p.name}=${max + 1}`).toBe(400);
        expect(((await over.json()) as { error: { param?: string } }).error.param).toBe(p.name);
        const at = await env.app.request(`${path}?${base}${p.name}=${max}`);
        expect(at.status, `${path} ${p.name}=${max}`).toBe(200);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });

  it('takes JSON body schemas from the zod schemas, and documents the error body', () => {
    const body = operation('POST', '/api/actors').requestBody?.content['application/json']?.schema;
    const actor = resolveRef(body?.$ref);
    expect(actor.required).toEqual(['name']);
    expect(actor.properties).toMatchObject({ name: { type: 'string', minLength: 1, maxLength: 200 }, id: { pattern: expect.any(String) } });
    const alert = resolveRef(operation('POST', '/api/alerts').requestBody?.content['application/json']?.schema.$ref);
    expect(alert.required).toEqual(expect.arrayContaining(['name', 'query']));
    const opml = operation('POST', '/api/opml').requestBody?.content;
    expect(Object.keys(opml ?? {})).toContain('text/x-opml');

    const err = operation('GET', '/api/search').responses['400']?.content?.['application/json']?.schema;
    expect(resolveRef(err?.$ref)).toMatchObject({ required: ['error'] });
    expect(operation('POST', '/api/themes').responses['401']).toBeDefined();
    expect(operation('GET', '/api/articles/{id}').responses['404']).toBeDefined();
  });

  it("documents the top-level fields the parameter-free GET routes really return", async () => {
    let checked = 0;
    for (const op of API_OPERATIONS) {
      if (op.method !== 'GET' || op.path.includes(':')) continue;
      const ok = op.responses[200];
      if (!ok || (ok.contentType ?? 'application/json') !== 'application/json') continue;
      const schema = resolveRef(operation('GET', op.path).responses['200']?.content?.['application/json']?.schema.$ref);
      const required = ((schema.required as string[] | undefined) ?? []).slice().sort();
      const documented = Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {});
      const url = op.path === '/api/trends' ? `${op.path}?q=chemical` : op.path === '/api/cooccurrence' ? `${op.path}?actors=white-helmets&themes=chemical` : op.path;
      const res = await env.app.request(url);
      expect(res.status, url).toBe(200);
      const actual = Object.keys((await res.json()) as Record<string, unknown>).sort();
      expect(actual.filter((k) => !documented.includes(k)), `${url}: fields sent but not documented`).toEqual([]);
      expect(required.filter((k) => !actual.includes(k)), `${url}: documented as always sent but missing`).toEqual([]);
      checked += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });
});
