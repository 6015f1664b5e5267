import crypto from 'node:crypto';
import request from 'supertest';
import { connectGraph, Graph } from '../../graph/neo4j';
import { applyMigrations } from '../../graph/migrations';
import { createApp, App } from '../../server/app';
import { connectRedis, RedisStore } from '../../server/cache/store';
import { ApiKey, loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { createMetrics } from '../../server/metrics';

// Tests talk to the real Neo4j and Redis that `npm test` started (or NEO4J_URI / REDIS_URL name).
// There is no fallback: without them a test fails.

export function requireEnv(name: 'NEO4J_URI' | 'REDIS_URL'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite with \`npm test\`, which starts Neo4j and Redis.`);
  return value;
}

export function testGraph(uri = requireEnv('NEO4J_URI')): Graph {
  return connectGraph({ uri, user: process.env.NEO4J_USER ?? 'neo4j', password: process.env.NEO4J_PASSWORD ?? '' });
}

export function testStore(url = requireEnv('REDIS_URL')): RedisStore {
  return connectRedis(url);
}

/** The Neo4j and Redis a test API talks to; the shared ones unless a test has its own (test/support/exclusive.ts). */
export interface TestServiceUris {
  neo4jUri: string;
  redisUrl: string;
}

/** A prefix that makes this test's ids its own, so tests share one database without meeting. */
export const uniquePrefix = (name: string) => `${name}-${crypto.randomBytes(4).toString('hex')}`;

/** The identifier key of test APIs: production mode requires one, and every test process must hash alike. */
export const TEST_IDENTIFIER_SECRET = 'grapevine-test-identifier-secret-0123456789';

export const KEYS = {
  service: `service-${crypto.randomBytes(12).toString('hex')}`,
  marketer: `marketer-${crypto.randomBytes(12).toString('hex')}`,
  community: `community-${crypto.randomBytes(12).toString('hex')}`,
  admin: `admin-${crypto.randomBytes(12).toString('hex')}`,
} as const;

export type TestRole = keyof typeof KEYS;

export interface TestApi {
  app: App;
  graph: Graph;
  store: RedisStore;
  /** Posts a GraphQL operation as the given role and returns the parsed body. */
  gql(role: TestRole, query: string, variables?: Record<string, unknown>): Promise<GraphQLBody>;
  close(): Promise<void>;
}

export interface GraphQLBody {
  data?: Record<string, any> | null; // eslint-disable-line @typescript-eslint/no-explicit-any -- response shapes vary per test
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }>;
}

export async function startTestApi(overrides: Record<string, string> = {}, uris?: TestServiceUris): Promise<TestApi> {
  // A generous rate limit unless a test sets one: the suite makes many calls a minute with the same keys.
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '1000000', IDENTIFIER_HMAC_SECRET: TEST_IDENTIFIER_SECRET, ...overrides });
  const graph = testGraph(uris?.neo4jUri);
  const store = testStore(uris?.redisUrl);
  const apiKeys: ApiKey[] = (Object.keys(KEYS) as TestRole[]).map((role) => ({ key: KEYS[role], role }));
  let app: App;
  try {
    await applyMigrations(graph);
    app = await createApp({ config, apiKeys, graph, store, log: createLogger(config.LOG_LEVEL), metrics: createMetrics() });
  } catch (error) {
    // An API that did not start leaves no open connection behind: jest would otherwise wait for it after the run.
    await Promise.allSettled([graph.close(), store.close()]);
    throw error;
  }
  return {
    app,
    graph,
    store,
    async gql(role, query, variables) {
      const response = await request(app.app).post('/graphql').set('authorization', `Bearer ${KEYS[role]}`).send({ query, variables });
      return response.body as GraphQLBody;
    },
    async close() {
      await app.stop();
      await graph.close();
      await store.close();
    },
  };
}
