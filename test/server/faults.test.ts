import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import request from 'supertest';
import { applyMigrations } from '../../graph/migrations';
import { connectGraph, cypher, Graph } from '../../graph/neo4j';
import { freePort } from '../../scripts/local/processes';
import { LocalServices, startLocalServices } from '../../scripts/local/services';
import { createApp, App } from '../../server/app';
import { connectRedis, RedisStore } from '../../server/cache/store';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { createMetrics } from '../../server/metrics';
import { BATCH, CONNECT, UPSERT_ID, iso, key } from '../support/builders';
import { KEYS, uniquePrefix } from '../support/services';

// Faults on real children: a dedicated local Neo4j and Redis, started and supervised as `npm start`
// does, are killed with SIGKILL while writes and reads stream through the API.
jest.setTimeout(600_000);

/** No answer may hang: a correctness bound on fail-fast, far above any normal answer, not a performance claim. */
const ANSWER_BOUND_MS = 10_000;

const PURCHASE = `
  mutation($input: RecordPurchaseInput!) {
    recordPurchase(input: $input) { orderId }
  }
`;
const CUSTOMER = `
  query($id: ID!) {
    customer(id: $id) {
      id
      purchases(first: 5) { totalCount }
    }
  }
`;
// A cached analytics answer that a KNOWS between the two customers changes: how many customers are one hop from `from`.
const PROFILE = `
  query($from: ID!) {
    separationProfile(customerId: $from, via: [KNOWS], maxHops: 1) { hops customers }
  }
`;

const ORDERS = cypher<{ orderId: string; copies: number }>(
  'test.faults.orders',
  `MATCH ()-[p:PURCHASED]->() WHERE p.orderId STARTS WITH $prefix RETURN p.orderId AS orderId, count(*) AS copies`,
);

interface Answer {
  status: number;
  startedAt: number;
  retryAfter: string | undefined;
  ms: number;
  body: { data?: Record<string, any> | null; errors?: Array<{ extensions?: { code?: string } }> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- response shapes vary
}

interface Sent {
  query: string;
  variables: Record<string, unknown>;
  answer: Answer;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function post(app: App, apiKey: string, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const started = Date.now();
  const response = await request(app.app).post('/graphql').set('authorization', `Bearer ${apiKey}`).send({ query, variables });
  return { status: response.status, retryAfter: response.headers['retry-after'], startedAt: started, ms: Date.now() - started, body: response.body };
}

async function timedGet(app: App, url: string) {
  const started = Date.now();
  const response = await request(app.app).get(url);
  return { status: response.status, body: response.body, ms: Date.now() - started };
}

async function eventually<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs = 400_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await attempt();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000}s`);
    await sleep(250);
  }
}

/** The redis-server under the lifeline wrapper (`sh`) that the launcher started. */
function redisServerPid(wrapperPid: number): number {
  const children = fs.readFileSync(`/proc/${wrapperPid}/task/${wrapperPid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  const pid = children.find((child) => fs.readFileSync(`/proc/${child}/comm`, 'utf8').trim() === 'redis-server');
  if (pid === undefined) throw new Error('no redis-server under the launcher wrapper');
  return pid;
}

/**
 * A TCP hop between the API and Redis that can be cut and restored: a network partition, during
 * which Redis keeps its data (a killed Redis loses it, so a stale entry could not survive that).
 */
async function partitionableProxy(targetPort: number) {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  const open = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, '127.0.0.1');
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {});
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      server.listen(port, '127.0.0.1', resolve);
    });
  await open();
  return {
    url: `redis://127.0.0.1:${port}`,
    async cut() {
      await new Promise<void>((resolve) => {
        server!.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
    restore: open,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server!.close(() => resolve()));
    },
  };
}

describe('faults: the local Neo4j and Redis die under traffic', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'grapevine-faults-'));
  const said: string[] = [];
  let services: LocalServices;
  let graph: Graph;
  let store: RedisStore;
  let app: App;
  let limitedApp: App;
  const limitedKey = `${KEYS.service}-limited`;

  beforeAll(async () => {
    services = await startLocalServices({
      neo4j: { homeDir: path.join(scratch, 'neo4j'), boltPort: await freePort(), heap: '1g', pageCacheMb: 128 },
      redis: { dir: path.join(scratch, 'redis'), port: await freePort() },
      say: (message) => said.push(message),
    });
    graph = connectGraph({ uri: services.neo4jUri, user: 'neo4j', password: '' }, undefined, 60_000, { connectTimeoutMs: 3000, probeIntervalMs: 500 });
    await applyMigrations(graph);
    store = connectRedis(services.redisUrl!);
    const deps = { graph, store, log: createLogger('silent'), metrics: createMetrics() };
    app = await createApp({ ...deps, config: loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '1000000' }), apiKeys: [{ key: KEYS.service, role: 'service' }] });
    limitedApp = await createApp({ ...deps, config: loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '5' }), apiKeys: [{ key: limitedKey, role: 'service' }] });
  });

  afterAll(async () => {
    await app?.stop();
    await limitedApp?.stop();
    await graph?.close();
    await store?.close().catch(() => {});
    await services?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('Neo4j killed mid-stream: answers stay prompt, failures are only 503 SERVICE_UNAVAILABLE with Retry-After, the supervisor restarts it, the API recovers, and replays lose and double nothing', async () => {
    const prefix = uniquePrefix('faults');
    const customers = Array.from({ length: 5 }, (_, i) => `${prefix}-c${i}`);
    for (const id of customers) expect((await post(app, KEYS.service, UPSERT_ID, { input: { id } })).status).toBe(200);
    // A fresh Neo4j compiles each query on first use; that is slow on a busy machine, and not what is measured.
    await post(app, KEYS.service, PURCHASE, { input: { customerId: customers[0], productId: `${prefix}-warm`, orderId: `${prefix}-warm`, amount: 1, currency: 'EUR', idempotencyKey: key(prefix) } });
    await post(app, KEYS.service, BATCH, { events: [{ upsertCustomer: { id: customers[0] } }] });
    await post(app, KEYS.service, CUSTOMER, { id: customers[0] });

    // Writes (single purchases and three-purchase batches, each with its idempotency keys) and reads.
    let orders = 0;
    const nextWrite = (n: number): Omit<Sent, 'answer'> => {
      const purchase = () => ({
        customerId: customers[orders % customers.length], productId: `${prefix}-p`, orderId: `${prefix}-o${++orders}`,
        amount: 10, currency: 'EUR', at: iso(5), idempotencyKey: key(prefix),
      });
      return n % 2 === 0
        ? { query: PURCHASE, variables: { input: purchase() } }
        : { query: BATCH, variables: { events: [purchase(), purchase(), purchase()].map((recordPurchase) => ({ recordPurchase })) } };
    };
    const sent: Sent[] = [];
    let phase = 'before' as 'before' | 'outage' | 'after';
    let successesAfter = 0;
    let stop = false;

    const writer = (async () => {
      for (let n = 0; !stop; n += 1) {
        const write = nextWrite(n);
        const answer = await post(app, KEYS.service, write.query, write.variables);
        sent.push({ ...write, answer });
        if (phase === 'after' && answer.status === 200) successesAfter += 1;
        await sleep(100);
      }
    })();
    const reads: Answer[] = [];
    const reader = (async () => {
      for (let n = 0; !stop; n += 1) {
        reads.push(await post(app, KEYS.service, CUSTOMER, { id: customers[n % customers.length] }));
        await sleep(150);
      }
    })();

    await eventually('some writes before the fault', async () => (sent.length >= 6 ? true : undefined));
    const restartedOnce = services.neo4j!.restarted(1);
    phase = 'outage';
    const killedAt = Date.now();
    services.neo4j!.current.child.kill('SIGKILL');

    // Readiness says so at once; liveness stays 200 and names the dependency down.
    const notReady = await eventually('readyz 503', async () => {
      const probe = await timedGet(app, '/readyz');
      return probe.status === 503 ? probe : undefined;
    });
    expect(notReady.ms).toBeLessThan(ANSWER_BOUND_MS);
    expect(notReady.body.neo4j).toMatch(/^unreachable/);
    const liveness = await timedGet(app, '/healthz');
    expect(liveness.status).toBe(200);
    expect(liveness.body).toMatchObject({ status: 'degraded', neo4j: { up: false } });

    await restartedOnce;
    const restartedAt = Date.now();
    await eventually('readyz 200 after the restart', async () => ((await timedGet(app, '/readyz')).status === 200 ? true : undefined));
    phase = 'after';
    await eventually('writes succeeding again without an API restart', async () => (successesAfter >= 6 ? true : undefined));
    stop = true;
    await Promise.all([writer, reader]);

    expect(said.some((line) => /local Neo4j exited unexpectedly/.test(line))).toBe(true);
    expect(said.some((line) => /local Neo4j restarted/.test(line))).toBe(true);
    expect((await timedGet(app, '/healthz')).body).toMatchObject({ status: 'ok', neo4j: { up: true } });

    // Nothing sent while Neo4j was down hangs, and no failure took long. (Answers after the restart are
    // normal traffic on a cold database, and how fast they are is a performance question, not asserted.)
    const answers = [...sent.map((s) => s.answer), ...reads];
    const duringOutage = answers.filter((answer) => answer.startedAt >= killedAt && answer.startedAt <= restartedAt);
    expect(duringOutage.length).toBeGreaterThan(0);
    const failed = answers.filter((answer) => answer.status !== 200 || answer.body.errors);
    expect(failed.length).toBeGreaterThan(0);
    for (const answer of [...duringOutage, ...failed]) expect(answer.ms).toBeLessThan(ANSWER_BOUND_MS);
    for (const answer of failed) {
      expect(answer.status).toBe(503);
      expect(Number(answer.retryAfter)).toBeGreaterThan(0);
      expect(answer.body.errors!.map((error) => error.extensions?.code)).toEqual(answer.body.errors!.map(() => 'SERVICE_UNAVAILABLE'));
    }

    // Replaying every failed write with the same keys stores what was lost, and never twice what had committed.
    for (const write of sent.filter((s) => s.answer.status !== 200)) {
      const replay = await post(app, KEYS.service, write.query, write.variables);
      expect(replay.body.errors).toBeUndefined();
    }
    const stored = await graph.read(ORDERS, { prefix: `${prefix}-o` });
    expect(stored.filter((row) => row.copies !== 1)).toEqual([]);
    expect(stored).toHaveLength(orders);
  });

  test('Redis killed: reads and writes go on, rate limits hold in the process, readiness says 503 then 200, and no answer from before an outage write is served after it', async () => {
    const prefix = uniquePrefix('faults-redis');
    const [a, b] = [`${prefix}-a`, `${prefix}-b`];
    for (const id of [a, b]) expect((await post(app, KEYS.service, UPSERT_ID, { input: { id } })).status).toBe(200);
    // Cached while Redis is up: a and b are not connected.
    for (let i = 0; i < 2; i += 1) expect((await post(app, KEYS.service, PROFILE, { from: a })).body.data?.separationProfile[0].customers).toBe(0);

    const restartedOnce = services.redis!.restarted(1);
    process.kill(redisServerPid(services.redis!.current.child.pid!), 'SIGKILL');
    await eventually('readyz 503 naming Redis', async () => {
      const probe = await timedGet(app, '/readyz');
      return probe.status === 503 && /^unreachable/.test(probe.body.redis) ? true : undefined;
    });

    const during: Answer[] = [];
    during.push(await post(app, KEYS.service, CONNECT, { input: { customerId: a, otherId: b, strength: 1, idempotencyKey: key(prefix) } }));
    during.push(await post(app, KEYS.service, PROFILE, { from: a }));
    during.push(await post(app, KEYS.service, CUSTOMER, { id: a }));
    for (const answer of during) {
      expect(answer.ms).toBeLessThan(ANSWER_BOUND_MS);
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
    }
    expect(during[1].body.data!.separationProfile[0].customers).toBe(1);

    const limited = [];
    for (let i = 0; i < 7; i += 1) limited.push(await post(limitedApp, limitedKey, CUSTOMER, { id: a }));
    expect(limited.slice(0, 5).map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect(limited.slice(5).map((answer) => answer.status)).toEqual([429, 429]);

    await restartedOnce;
    await eventually('readyz 200 after Redis is back', async () => ((await timedGet(app, '/readyz')).status === 200 ? true : undefined));
    expect(said.some((line) => /local Redis restarted/.test(line))).toBe(true);
    const after = await post(app, KEYS.service, PROFILE, { from: a });
    expect(after.body.data!.separationProfile[0].customers).toBe(1);
  });

  test('Redis cut off while keeping its data: a cached answer from before a write made meanwhile is not served once it is reachable again', async () => {
    const proxy = await partitionableProxy(Number(new URL(services.redisUrl!).port));
    const partitionedStore = connectRedis(proxy.url);
    const partitionedApp = await createApp({
      config: loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '1000000' }), apiKeys: [{ key: KEYS.service, role: 'service' }],
      graph, store: partitionedStore, log: createLogger('silent'), metrics: createMetrics(),
    });
    const direct = new Redis(services.redisUrl!);
    try {
      const prefix = uniquePrefix('faults-cut');
      const [a, b] = [`${prefix}-a`, `${prefix}-b`];
      for (const id of [a, b]) expect((await post(partitionedApp, KEYS.service, UPSERT_ID, { input: { id } })).status).toBe(200);
      expect((await post(partitionedApp, KEYS.service, PROFILE, { from: a })).body.data!.separationProfile[0].customers).toBe(0);
      const versionBefore = await direct.get('grapevine:graph-version');
      expect((await direct.keys('grapevine:analytics:*separationProfile*')).length).toBeGreaterThan(0);

      await proxy.cut();
      const write = await post(partitionedApp, KEYS.service, CONNECT, { input: { customerId: a, otherId: b, strength: 1, idempotencyKey: key(prefix) } });
      expect(write.body.errors).toBeUndefined();
      // The write could not move the version: Redis still holds it, and the entry cached before the write.
      expect(await direct.get('grapevine:graph-version')).toBe(versionBefore);

      await proxy.restore();
      await eventually('the API reconnecting to Redis', async () => (partitionedStore.redis.status === 'ready' ? true : undefined));
      const after = await post(partitionedApp, KEYS.service, PROFILE, { from: a });
      expect(after.body.data!.separationProfile[0].customers).toBe(1);
      expect(await direct.get('grapevine:graph-version')).not.toBe(versionBefore);
    } finally {
      direct.disconnect();
      await partitionedApp.stop();
      await partitionedStore.close().catch(() => {});
      await proxy.close();
    }
  });
});
