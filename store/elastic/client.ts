/**
 * The Elasticsearch client the store uses: @elastic/elasticsearch 9.4 with bounded retries and timeouts.
 * Built here so every process configures it the same way; tests pass their own Connection class.
 */
import { Client, type BaseConnection } from '@elastic/elasticsearch';

export type ElasticClient = Client;

/** Options of {@link createElasticClient}. */
export interface ElasticClientOptions {
  /** Cluster URL, e.g. http://127.0.0.1:9200 (credentials may be in the URL). */
  url: string;
  /**
   * Transport-level retries of a failed request (connection errors, 502/503/504). Per-item bulk rejections
   * (429) are retried by bulk.ts, not here.
   * @defaultValue 3
   */
  maxRetries?: number;
  /** @defaultValue 30000 */
  requestTimeoutMs?: number;
  /** Connection class; tests inject one that records requests instead of opening sockets. */
  Connection?: typeof BaseConnection;
}

/** Builds a client. Opens no connection until the first request. */
export function createElasticClient(options: ElasticClientOptions): ElasticClient {
  return new Client({
    node: options.url,
    maxRetries: options.maxRetries ?? 3,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    // Sniffing would replace the configured URL by node addresses that are often unreachable from containers.
    sniffOnStart: false,
    ...(options.Connection ? { Connection: options.Connection } : {}),
  });
}
