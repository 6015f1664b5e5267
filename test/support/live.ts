import { createClient, Client } from 'graphql-ws';
import WebSocket from 'ws';
import { freePort } from '../../scripts/local/processes';
import { loadConfig } from '../../server/config';
import { Running, startService } from '../../server/runtime';
import { createLogger } from '../../server/logger';
import { GraphQLBody, KEYS, requireEnv, TEST_IDENTIFIER_SECRET, TestRole } from './services';

// Live tests run the whole service (server/runtime.ts startService: HTTP, WebSocket subscriptions, the outbox
// relay, the stream reader, webhook dispatch and delivery) on a free port, on the shared Neo4j and Redis.

export const LIVE_TEST_SETTINGS: Record<string, string> = {
  NODE_ENV: 'test',
  DEMO_DATA: 'off',
  LOG_LEVEL: 'silent',
  RATE_LIMIT_PER_MINUTE: '1000000',
  WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
  WEBHOOK_RETRY_BASE_MS: '300',
  WEBHOOK_RETRY_MAX_MS: '2000',
  OUTBOX_SWEEP_SECONDS: '1',
};

export const API_KEYS = (Object.keys(KEYS) as TestRole[]).map((role) => `${KEYS[role]}:${role}`).join(',');

export interface LiveApi {
  running: Running;
  url: string;
  wsUrl: string;
  gql(role: TestRole, query: string, variables?: Record<string, unknown>): Promise<GraphQLBody>;
  close(): Promise<void>;
}

export async function startLiveApi(overrides: Record<string, string> = {}): Promise<LiveApi> {
  const port = await freePort();
  const config = loadConfig({
    ...process.env,
    NEO4J_URI: requireEnv('NEO4J_URI'),
    REDIS_URL: requireEnv('REDIS_URL'),
    IDENTIFIER_HMAC_SECRET: TEST_IDENTIFIER_SECRET,
    ...LIVE_TEST_SETTINGS,
    API_KEYS,
    PORT: String(port),
    ...overrides,
  });
  const running = await startService(config, createLogger(config.LOG_LEVEL));
  const url = `http://127.0.0.1:${port}/graphql`;
  return {
    running,
    url,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    gql: (role, query, variables) => post(url, KEYS[role], query, variables),
    close: () => running.shutdown('test finished'),
  };
}

export async function post(url: string, key: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLBody> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as GraphQLBody;
}

/** One subscription's results as they arrive, with a way to wait for them. */
export interface Subscription {
  results: GraphQLBody[];
  /** Resolves once `count` results arrived (rejects after `timeoutMs` with what did). */
  waitFor(count: number, timeoutMs?: number): Promise<GraphQLBody[]>;
  /** Resolves with the close code when the server closes the socket or refuses the subscription. */
  closed: Promise<unknown>;
  dispose(): void;
}

export function subscribe(wsUrl: string, authorization: string, query: string, variables: Record<string, unknown> = {}): Subscription {
  const results: GraphQLBody[] = [];
  const waiters: Array<() => void> = [];
  const timers = new Set<NodeJS.Timeout>();
  let resolveClosed: (value: unknown) => void = () => {};
  const closed = new Promise((resolve) => (resolveClosed = resolve));
  const client: Client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization },
    retryAttempts: 0,
    lazy: false,
    on: { closed: (event) => resolveClosed((event as { code?: number }).code) },
    onNonLazyError: (error) => resolveClosed(error),
  });
  const unsubscribe = client.subscribe(
    { query, variables },
    {
      next: (value) => {
        results.push(value as GraphQLBody);
        for (const wake of waiters.splice(0)) wake();
      },
      error: (error) => resolveClosed(error),
      complete: () => {},
    },
  );
  return {
    results,
    closed,
    waitFor(count, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`waited for ${count} results, got ${results.length}: ${JSON.stringify(results)}`)), timeoutMs);
        timers.add(timer);
        const check = () => {
          if (results.length >= count) {
            clearTimeout(timer);
            timers.delete(timer);
            resolve(results.slice(0, count));
          } else waiters.push(check);
        };
        check();
      });
    },
    dispose() {
      for (const timer of timers) clearTimeout(timer);
      unsubscribe();
      void client.dispose();
    },
  };
}

/** Waits until `running` serves at least `count` subscriptions, so that writes after it reach them. */
export async function untilSubscribed(running: Running, count: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (running.liveSubscribers() < count) {
    if (Date.now() > deadline) throw new Error(`only ${running.liveSubscribers()} of ${count} subscriptions became active`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
