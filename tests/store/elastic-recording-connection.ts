/**
 * A Connection for @elastic/elasticsearch that records every request the real client serializes and answers
 * from scripted routes, without opening a socket. It is a transport stub for unit tests, not a server: it
 * knows nothing of Elasticsearch semantics beyond the canned bodies each test gives it.
 */
import {
  BaseConnection,
  type ConnectionRequestOptions,
  type ConnectionRequestOptionsAsStream,
  type ConnectionRequestParams,
  type ConnectionRequestResponse,
  type ConnectionRequestResponseAsStream,
} from '@elastic/elasticsearch';
import { createElasticClient, type ElasticClient } from '../../store/elastic/client.ts';

/** One request as the client sent it. */
export interface RecordedRequest {
  method: string;
  path: string;
  querystring: string;
  /** Parsed JSON body, or the parsed lines of an ndjson body, or null. */
  body: unknown;
}

export interface CannedResponse {
  status?: number;
  body: unknown;
}

export type Route = [method: string, path: RegExp, respond: (req: RecordedRequest, nth: number) => CannedResponse];

function parseBody(raw: ConnectionRequestParams['body']): unknown {
  if (raw === undefined || raw === null) return null;
  const text = typeof raw === 'string' ? raw : Buffer.isBuffer(raw) ? raw.toString('utf8') : null;
  if (text === null) throw new Error('recording connection: streamed bodies are not supported');
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as unknown);
  }
}

/** A client whose requests are recorded in `requests` and answered by the first matching route. */
export function recordingClient(routes: Route[]): { client: ElasticClient; requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const hits = new Map<Route, number>();
  class RecordingConnection extends BaseConnection {
    // The store never asks for streamed responses; the overloads only restate BaseConnection's.
    override request(params: ConnectionRequestParams, options: ConnectionRequestOptions): Promise<ConnectionRequestResponse>;
    override request(params: ConnectionRequestParams, options: ConnectionRequestOptionsAsStream): Promise<ConnectionRequestResponseAsStream>;
    override async request(params: ConnectionRequestParams): Promise<ConnectionRequestResponse | ConnectionRequestResponseAsStream> {
      const req: RecordedRequest = {
        method: params.method,
        path: decodeURIComponent(params.path),
        querystring: params.querystring ?? '',
        body: parseBody(params.body),
      };
      requests.push(req);
      const route = routes.find(([method, path]) => method === req.method && path.test(req.path));
      const canned: CannedResponse = route
        ? route[2](req, (hits.set(route, (hits.get(route) ?? 0) + 1), hits.get(route) ?? 1))
        : { status: 599, body: { error: { type: 'unrouted', reason: `${req.method} ${req.path}` } } };
      return {
        body: JSON.stringify(canned.body),
        statusCode: canned.status ?? 200,
        headers: { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' },
      };
    }
  }
  // No transport retries: a scripted failure must reach the store exactly once.
  const client = createElasticClient({ url: 'http://127.0.0.1:9', maxRetries: 0, Connection: RecordingConnection });
  return { client, requests };
}

/** Reads a golden file under tests/store/golden/. */
export async function golden(name: string): Promise<unknown> {
  const { readFile } = await import('node:fs/promises');
  return JSON.parse(await readFile(new URL(`./golden/${name}`, import.meta.url), 'utf8')) as unknown;
}

/** Canned bodies for the common answers. */
export const canned = {
  emptySearch: (): CannedResponse => ({ body: { took: 1, timed_out: false, hits: { total: { value: 0, relation: 'eq' }, hits: [] } } }),
  mgetNotFound: (req: RecordedRequest): CannedResponse => ({
    body: { docs: ((req.body as { ids?: string[] } | null)?.ids ?? []).map((id) => ({ _index: 'x', _id: id, found: false })) },
  }),
  bulkStatuses: (statuses: (number | { status: number; type: string; reason: string })[]): CannedResponse => ({
    body: {
      took: 1,
      errors: statuses.some((s) => typeof s !== 'number' || s >= 300),
      items: statuses.map((s, i) =>
        typeof s === 'number'
          ? { create: { _index: 'x', _id: `item-${i}`, status: s, ...(s === 409 ? { error: { type: 'version_conflict_engine_exception', reason: 'document already exists' } } : {}) } }
          : { create: { _index: 'x', _id: `item-${i}`, status: s.status, error: { type: s.type, reason: s.reason } } },
      ),
    },
  }),
};
