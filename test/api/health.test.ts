import request from 'supertest';
import { connectGraph } from '../../graph/neo4j';
import { createApp } from '../../server/app';
import { connectRedis } from '../../server/cache/store';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { createMetrics } from '../../server/metrics';
import { freePort } from '../../scripts/local/processes';
import { KEYS, startTestApi, TestApi, testGraph, testStore } from '../support/services';

describe('health and readiness', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  test('healthz answers 200 without a key', async () => {
    const response = await request(api.app.app).get('/healthz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  test('readyz is 200 when Neo4j and Redis answer', async () => {
    const response = await request(api.app.app).get('/readyz');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ready', neo4j: 'ok', redis: 'ok' });
  });

  test('readyz is 503 naming Redis when Redis is unreachable', async () => {
    const deadRedis = connectRedis(`redis://127.0.0.1:${await freePort()}`);
    const graph = testGraph();
    const app = await createApp({
      config: loadConfig({ LOG_LEVEL: 'silent' }), apiKeys: [{ key: KEYS.admin, role: 'admin' }], graph, store: deadRedis,
      log: createLogger('silent'), metrics: createMetrics(),
    });
    const response = await request(app.app).get('/readyz');
    expect(response.status).toBe(503);
    expect(response.body.neo4j).toBe('ok');
    expect(response.body.redis).toMatch(/^unreachable/);
    await app.stop();
    await graph.close();
    deadRedis.redis.disconnect();
  });

  test('readyz is 503 naming Neo4j when Neo4j is unreachable', async () => {
    const deadGraph = connectGraph({ uri: `bolt://127.0.0.1:${await freePort()}`, user: 'neo4j', password: '' });
    const store = testStore();
    const app = await createApp({
      config: loadConfig({ LOG_LEVEL: 'silent' }), apiKeys: [{ key: KEYS.admin, role: 'admin' }], graph: deadGraph, store,
      log: createLogger('silent'), metrics: createMetrics(),
    });
    const response = await request(app.app).get('/readyz');
    expect(response.status).toBe(503);
    expect(response.body.neo4j).toMatch(/^unreachable/);
    expect(response.body.redis).toBe('ok');
    await app.stop();
    await deadGraph.close();
    await store.close();
  });
});
