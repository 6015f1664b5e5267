import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { cypher } from '../../../graph/neo4j';
import { createApp, App } from '../../../server/app';
import { loadConfig } from '../../../server/config';
import { createMetrics } from '../../../server/metrics';
import { BATCH, iso, key } from '../../support/builders';
import { startExclusiveTestApi } from '../../support/exclusive';
import { KEYS, TestApi, TestRole } from '../../support/services';

// No raw identifier value is stored in Neo4j or Redis or written to a log: identifiers go in through every path
// that takes them, then every property of every node and relationship, every Redis key and value, and every log
// line (at trace level) are searched for the values. An exclusive pair, so "every" is this test's data.

let api: TestApi;
let app: App;
const logged: string[] = [];

beforeAll(async () => {
  api = await startExclusiveTestApi();
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'trace', RATE_LIMIT_PER_MINUTE: '1000000' });
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logged.push(String(chunk));
      done();
    },
  });
  const apiKeys = (Object.keys(KEYS) as TestRole[]).map((role) => ({ key: KEYS[role], role }));
  app = await createApp({ config, apiKeys, graph: api.graph, store: api.store, log: pino({ level: 'trace' }, sink), metrics: createMetrics() });
});
afterAll(async () => {
  await app.stop();
  await api.close();
});

const post = async (query: string, variables: Record<string, unknown>, role: TestRole = 'service') =>
  (await request(app.app).post('/graphql').set('authorization', `Bearer ${KEYS[role]}`).send({ query, variables })).body;

const RAW = {
  DEVICE: 'raw-device-7f3a9c',
  IP: '192.0.2.201',
  PAYMENT: 'raw-card-4242424242424242',
  EMAIL: 'Raw.Person+promo@gmail.com',
  PHONE: '+44 7700 900123',
  ADDRESS: '221B Baker Street, London',
};
const identifiers = Object.entries(RAW).map(([kind, value]) => ({ kind, value }));
/** What a careless implementation might store instead: the normalised forms. */
const NEEDLES = [...Object.values(RAW), 'rawperson@gmail.com', '447700900123', '221b baker street london', 'raw-card-4242'];

const EVERY_PROPERTY = cypher<{ values: string }>(
  'test.everyProperty',
  `CALL () { MATCH (n) RETURN collect(properties(n)) AS nodes }
   CALL () { MATCH ()-[r]->() RETURN collect(properties(r)) AS relationships }
   RETURN apoc.convert.toJson([nodes, relationships]) AS values`,
);

test('identifiers written through upserts, sign-ups, purchases and batches appear nowhere in Neo4j, Redis or the logs', async () => {
  const created = await post(`mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }`, {
    input: { id: 'camp', name: 'c', startsAt: iso(1), endsAt: '2099-01-01T00:00:00.000Z', rewards: { referrer: { amount: 5, currency: 'EUR' } } },
  });
  expect(created.errors).toBeUndefined();
  expect((await post(`mutation($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { id } }`, { input: { id: 'ref', identifiers } })).errors).toBeUndefined();
  const issued = await post(`mutation($input: IssueReferralCodeInput!) { issueReferralCode(input: $input) { code } }`, { input: { customerId: 'ref', campaignId: 'camp', idempotencyKey: key('c') } });
  const code = issued.data.issueReferralCode.code as string;
  const signup = await post(`mutation($input: RecordSignupInput!) { recordSignup(input: $input) { referral { status } } }`, { input: { customerId: 'new', code, at: iso(10), identifiers, idempotencyKey: key('s') } });
  expect(signup.data.recordSignup.referral.status).toBe('HELD');
  const purchase = await post(`mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) { orderId } }`, {
    input: { customerId: 'new', productId: 'p', orderId: 'o1', amount: 3, currency: 'EUR', at: iso(11), identifiers, idempotencyKey: key('p') },
  });
  expect(purchase.errors).toBeUndefined();
  const batch = await post(BATCH, {
    events: [
      { upsertCustomer: { id: 'b1', identifiers } },
      { recordSignup: { customerId: 'b2', code, at: iso(12), identifiers, idempotencyKey: key('b') } },
      { recordPurchase: { customerId: 'b2', productId: 'p', orderId: 'o2', amount: 3, currency: 'EUR', at: iso(13), identifiers, idempotencyKey: key('b') } },
    ],
  });
  expect(batch.errors).toBeUndefined();
  // Reads that show evidence, and a failing write whose input holds a value.
  expect((await post(`query { reviewQueue { heldReferrals { evidence { sharedIdentifiers { kind hashPrefix } } } } }`, {}, 'admin')).errors).toBeUndefined();
  expect((await post(`query { fraudRings(minSize: 2) { rings { size } } }`, {}, 'admin')).errors).toBeUndefined();
  const refused = await post(`mutation($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { id } }`, { input: { id: '!bad', identifiers } });
  expect(refused.errors).toBeDefined();
  expect(JSON.stringify(refused)).not.toContain(RAW.PAYMENT);

  const [{ values }] = await api.graph.read(EVERY_PROPERTY);
  expect(values).toContain('"kind":"DEVICE"'); // the identifiers are there, as hashes
  const redisKeys = await api.store.redis.keys('*');
  expect(redisKeys.length).toBeGreaterThan(0);
  const redisDump: string[] = [];
  for (const redisKey of redisKeys) {
    const type = await api.store.redis.type(redisKey);
    const value =
      type === 'string' ? await api.store.redis.get(redisKey)
      : type === 'hash' ? JSON.stringify(await api.store.redis.hgetall(redisKey))
      : type === 'zset' ? JSON.stringify(await api.store.redis.zrange(redisKey, 0, -1, 'WITHSCORES'))
      : type === 'list' ? JSON.stringify(await api.store.redis.lrange(redisKey, 0, -1))
      : type === 'set' ? JSON.stringify(await api.store.redis.smembers(redisKey))
      : `(${type})`;
    redisDump.push(`${redisKey} ${value}`);
  }
  expect(logged.length).toBeGreaterThan(0);
  const haystacks = { neo4j: values.toLowerCase(), redis: redisDump.join('\n').toLowerCase(), logs: logged.join('').toLowerCase() };
  for (const [where, haystack] of Object.entries(haystacks)) {
    for (const needle of NEEDLES) expect(`${where}: ${haystack.includes(needle.toLowerCase()) ? needle : 'absent'}`).toBe(`${where}: absent`);
  }
});
