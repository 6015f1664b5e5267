import Redis from 'ioredis';
import { recordEvent, recordEvents } from '../../graph/events';
import { cypher } from '../../graph/neo4j';
import { idempotencyPurgeJob } from '../../server/jobs/idempotencyPurge';
import { JobScheduler } from '../../server/jobs/scheduler';
import { createLogger } from '../../server/logger';
import { CONNECT, UPSERT, failure, key, ok } from '../support/builders';
import { requireEnv, startTestApi, TestApi, uniquePrefix } from '../support/services';

const HOUR_MS = 60 * 60 * 1000;
const RETENTION_HOURS = 168;

const KEY_STATE = cypher<{ exists: boolean; pending: boolean | null; about: string[] }>(
  'test.idempotencyKeyState',
  `OPTIONAL MATCH (k:IdempotencyKey {key: $key})
   OPTIONAL MATCH (k)-[:ABOUT]->(c:Customer)
   RETURN k IS NOT NULL AS exists, k.pending AS pending, collect(c.id) AS about`,
);

describe('idempotency keys are kept for a retention, then purged', () => {
  let api: TestApi;
  let redis: Redis;
  const prefix = uniquePrefix('retention');
  const id = (name: string) => `${prefix}-${name}`;
  const keyState = async (idempotencyKey: string) => (await api.graph.read(KEY_STATE, { key: idempotencyKey }))[0];

  /** Runs the purge job once through a scheduler, as an API process would, and waits for it to finish. */
  async function runPurgeJob() {
    const scheduler = new JobScheduler(redis, createLogger('silent'), uniquePrefix('purger'));
    const job = idempotencyPurgeJob(api.graph, RETENTION_HOURS, createLogger('silent'), 60_000);
    const before = Date.now();
    scheduler.scheduleJob(job);
    scheduler.start();
    for (let waited = 0; ((await scheduler.lastFinishedAt(job.name)) ?? 0) < before; waited++) {
      if (waited > 6000) throw new Error('the purge job never finished');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await scheduler.stop();
  }

  beforeAll(async () => {
    api = await startTestApi();
    redis = new Redis(requireEnv('REDIS_URL'));
    for (const name of ['a', 'b', 'c', 'd']) await ok(api, UPSERT, { input: { id: id(name), name } });
  });

  afterAll(async () => {
    await redis.quit();
    await api.close();
  });

  it('purges keys stored longer ago than the retention, and a key used again after its purge is a new request', async () => {
    const oldKey = key('old');
    const longAgo = Date.now() - (RETENTION_HOURS + 1) * HOUR_MS;
    await recordEvent(api.graph, 'CONNECT_CUSTOMERS', { customerId: id('a'), otherId: id('b'), strength: 0.2, idempotencyKey: oldKey }, longAgo);
    expect((await keyState(oldKey)).exists).toBe(true);

    await runPurgeJob();

    expect((await keyState(oldKey)).exists).toBe(false);
    // The same key with other input is no longer a conflict: it is recorded as a new request.
    const again = await ok(api, CONNECT, { input: { customerId: id('a'), otherId: id('b'), strength: 0.9, idempotencyKey: oldKey } });
    expect(again.connectCustomers.strength).toBe(0.9);
  });

  it('keeps a key within the retention, which still replays its first result', async () => {
    const recentKey = key('recent');
    const yesterday = Date.now() - 24 * HOUR_MS;
    await recordEvent(api.graph, 'CONNECT_CUSTOMERS', { customerId: id('a'), otherId: id('c'), strength: 0.3, idempotencyKey: recentKey }, yesterday);

    await runPurgeJob();

    expect((await keyState(recentKey)).exists).toBe(true);
    const replay = await ok(api, CONNECT, { input: { customerId: id('a'), otherId: id('c'), strength: 0.3, idempotencyKey: recentKey } });
    expect(replay.connectCustomers.strength).toBe(0.3);
    const clash = await api.gql('service', CONNECT, { input: { customerId: id('a'), otherId: id('c'), strength: 0.8, idempotencyKey: recentKey } });
    expect(failure(clash)).toMatchObject({ code: 'CONFLICT', field: 'input.idempotencyKey' });
  });

  it('links a stored result to the customers it names, and erasure removes the keys linked to the erased customer only', async () => {
    const aboutBoth = key('both');
    const aboutOthers = key('others');
    await ok(api, CONNECT, { input: { customerId: id('d'), otherId: id('b'), strength: 0.5, idempotencyKey: aboutBoth } });
    await ok(api, CONNECT, { input: { customerId: id('b'), otherId: id('c'), strength: 0.5, idempotencyKey: aboutOthers } });
    expect((await keyState(aboutBoth)).about.sort()).toEqual([id('b'), id('d')]);

    await ok(api, `
      mutation($id: ID!) {
        eraseCustomer(id: $id) { erased }
      }
    `, { id: id('d') }, 'admin');

    expect((await keyState(aboutBoth)).exists).toBe(false);
    expect(await keyState(aboutOthers)).toMatchObject({ exists: true, about: expect.arrayContaining([id('b'), id('c')]) });
  });

  it('leaves no pending claim behind when the transaction that claimed a key rolls back', async () => {
    const claimed = key('rolled-back');
    const batch = await recordEvents(api.graph, [
      { connectCustomers: { customerId: id('a'), otherId: id('b'), strength: 0.1, idempotencyKey: claimed } },
      { connectCustomers: { customerId: id('a'), otherId: id('nobody'), strength: 0.1, idempotencyKey: key('fails') } },
    ]).catch((error: unknown) => error);
    expect(batch).toMatchObject({ code: 'NOT_FOUND' });
    expect((await keyState(claimed)).exists).toBe(false);
    // Nothing blocks the key: its next use is a first use, with any input.
    const first = await ok(api, CONNECT, { input: { customerId: id('a'), otherId: id('b'), strength: 0.7, idempotencyKey: claimed } });
    expect(first.connectCustomers.strength).toBe(0.7);
    expect(await keyState(claimed)).toMatchObject({ exists: true, pending: null });
  });
});
