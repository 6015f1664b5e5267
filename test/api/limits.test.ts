import request from 'supertest';
import { KEYS, startTestApi, TestApi } from '../support/services';

describe('abuse limits', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ MAX_QUERY_DEPTH: '6', MAX_QUERY_COST: '500', MAX_BODY_BYTES: '2000' });
  });
  afterAll(() => api.close());

  test('a query deeper than MAX_QUERY_DEPTH is refused with QUERY_TOO_DEEP', async () => {
    const deep = '{ customer(id: "x") { connections { edges { node { connections { edges { node { id } } } } } } } }';
    const body = await api.gql('admin', deep);
    expect(body.errors?.[0].extensions?.code).toBe('QUERY_TOO_DEEP');
    expect(body.errors?.[0].message).toMatch(/depth exceeds the limit of 6/);
  });

  test('a query costing more than MAX_QUERY_COST is refused with QUERY_TOO_COSTLY', async () => {
    const costly = '{ customer(id: "x") { connections(first: 100) { edges { node { referrals(first: 100) { totalCount } } } } } }';
    const body = await api.gql('admin', costly);
    expect(body.errors?.[0].extensions?.code).toBe('QUERY_TOO_COSTLY');
  });

  test('page sizes from variables count towards the cost', async () => {
    const query = 'query($n: Int) { customer(id: "x") { connections(first: $n) { edges { node { referrals(first: $n) { totalCount } } } } } }';
    expect((await api.gql('admin', query, { n: 5 })).errors).toBeUndefined();
    expect((await api.gql('admin', query, { n: 100 })).errors?.[0].extensions?.code).toBe('QUERY_TOO_COSTLY');
  });

  test('a body larger than MAX_BODY_BYTES gets 413 PAYLOAD_TOO_LARGE', async () => {
    const response = await request(api.app.app)
      .post('/graphql')
      .set('authorization', `Bearer ${KEYS.admin}`)
      .send({ query: `{ customer(id: "${'x'.repeat(3000)}") { id } }` });
    expect(response.status).toBe(413);
    expect(response.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  test('malformed JSON gets 400 BAD_REQUEST', async () => {
    const response = await request(api.app.app)
      .post('/graphql')
      .set('authorization', `Bearer ${KEYS.admin}`)
      .set('content-type', 'application/json')
      .send('{"query": ');
    expect(response.status).toBe(400);
    expect(response.body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });
});

describe('rate limits kept in Redis', () => {
  test('a key over RATE_LIMIT_PER_MINUTE gets 429 RATE_LIMITED, and another key is unaffected', async () => {
    const api = await startTestApi({ RATE_LIMIT_PER_MINUTE: '3' });
    // Keys are shared by every test app; a fresh minute bucket is not guaranteed, so count from what Redis says.
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 5; i++) {
      last = await request(api.app.app).post('/graphql').set('authorization', `Bearer ${KEYS.community}`).send({ query: '{ serviceInfo { role } }' });
      statuses.push(last.status);
    }
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(2);
    expect(last!.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(last!.headers['retry-after']).toBeDefined();
    const keys = await api.store.redis.keys('grapevine:rate:*');
    expect(keys.length).toBeGreaterThan(0);
    await api.store.redis.del(...keys);
    const other = await request(api.app.app).post('/graphql').set('authorization', `Bearer ${KEYS.marketer}`).send({ query: '{ serviceInfo { role } }' });
    expect(other.status).toBe(200);
    await api.close();
  });
});
