import crypto from 'node:crypto';
import request from 'supertest';
import net from 'node:net';
import { freePort, isPortFree } from '../../scripts/local/processes';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { startService } from '../../server/runtime';
import { KEYS, requireEnv, startTestApi, TestApi, testStore } from '../support/services';

const seriesOf = (text: string, metric: string) => text.split('\n').filter((line) => line.startsWith(`${metric}{`));

describe('/metrics on the main port', () => {
  const metricsKey = `metrics-${crypto.randomBytes(12).toString('hex')}`;
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ METRICS_KEY: metricsKey });
  });
  afterAll(() => api.close());

  const scrape = () => request(api.app.app).get('/metrics').set('authorization', `Bearer ${metricsKey}`);

  test('requests are counted by operation type and first root field, not by the client operation name', async () => {
    await api.gql('admin', 'query WhoAmI { serviceInfo { role } }');
    await api.gql('admin', 'query Other { me: serviceInfo { role } }');
    await api.gql('admin', '{ serviceInfo { role } c: customer(id: "nobody-here") { id } }');
    const response = await scrape();
    expect(response.status).toBe(200);
    expect(response.text).toMatch(/grapevine_graphql_requests_total\{operation="query:serviceInfo",outcome="ok"\} 2/);
    expect(response.text).toMatch(/grapevine_graphql_requests_total\{operation="query:customer\+more",outcome="ok"\} 1/);
    expect(response.text).not.toMatch(/WhoAmI|Other/);
  });

  test('a thousand made-up operation names and invalid operations add no series beyond a fixed few', async () => {
    const before = seriesOf((await scrape()).text, 'grapevine_graphql_requests_total').length;
    for (let i = 0; i < 1000; i++) {
      const name = `Random${crypto.randomBytes(6).toString('hex')}`;
      const query = i % 2 === 0 ? `query ${name} { serviceInfo { role } }` : `query ${name} { ${name} }`;
      await api.gql('admin', query);
    }
    await api.gql('admin', '{ not valid graphql');
    const text = (await scrape()).text;
    const series = seriesOf(text, 'grapevine_graphql_requests_total');
    expect(series.length - before).toBeLessThanOrEqual(1);
    expect(text).toMatch(/grapevine_graphql_requests_total\{operation="invalid",outcome="error"\} 501/);
    expect(text).not.toMatch(/Random/);
  });

  test('without a key the answer is 401, with a non-admin API key 403, with an admin API key or METRICS_KEY 200', async () => {
    expect((await request(api.app.app).get('/metrics')).status).toBe(401);
    expect((await request(api.app.app).get('/metrics').set('authorization', 'Bearer not-a-known-key-at-all')).status).toBe(401);
    const marketer = await request(api.app.app).get('/metrics').set('authorization', `Bearer ${KEYS.marketer}`);
    expect(marketer.status).toBe(403);
    expect(marketer.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await request(api.app.app).get('/metrics').set('authorization', `Bearer ${KEYS.admin}`)).status).toBe(200);
    expect((await scrape()).status).toBe(200);
  });
});

describe('/metrics on its own port', () => {
  const configFor = (port: number, metricsPort: number) =>
    loadConfig({
      ...process.env,
      NEO4J_URI: requireEnv('NEO4J_URI'),
      REDIS_URL: requireEnv('REDIS_URL'),
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      API_KEYS: `${KEYS.admin}:admin`,
      DEMO_DATA: 'off',
      LOG_LEVEL: 'silent',
    });

  test('with METRICS_PORT it is served on 127.0.0.1 at that port only, and not on the API port', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const config = configFor(port, metricsPort);
    const running = await startService(config, createLogger('silent'));
    try {
      expect(running.metricsUrl).toBe(`http://127.0.0.1:${metricsPort}/metrics`);
      await fetch(running.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.admin}` },
        body: JSON.stringify({ query: '{ serviceInfo { role } }' }),
      });
      const scraped = await fetch(running.metricsUrl!);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toMatch(/grapevine_graphql_requests_total\{operation="query:serviceInfo",outcome="ok"\} 1/);
      const onApiPort = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${KEYS.admin}` } });
      expect(onApiPort.status).toBe(404);
    } finally {
      await running.shutdown('test over');
    }
  });

  test('a start that fails (its metrics port is taken) stops what it had started: the API port is free again, and its Redis clients (relay, stream reader, webhook worker) are gone', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(metricsPort, '127.0.0.1', resolve));
    const redis = testStore();
    const clients = async () => String(await redis.redis.client('LIST')).trim().split('\n').length;
    try {
      const before = await clients();
      await expect(startService(configFor(port, metricsPort), createLogger('silent'))).rejects.toThrow(/EADDRINUSE/);
      expect(await isPortFree(port)).toBe(true);
      // Closing is asynchronous (QUIT); other clients may only have gone meanwhile.
      const deadline = Date.now() + 10_000;
      while ((await clients()) > before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await clients()).toBeLessThanOrEqual(before);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
      await redis.close();
    }
  });
});
