import request from 'supertest';
import { KEYS, startTestApi, TestApi } from '../support/services';

// One request must not stall the service: documents, operations and answers are bounded before any
// work is done, and every refusal is a 4xx with a code from ERROR_CODES.

const post = (api: TestApi, body: unknown, contentType = 'application/json') =>
  request(api.app.app)
    .post('/graphql')
    .set('authorization', `Bearer ${KEYS.marketer}`)
    .set('content-type', contentType)
    .send(typeof body === 'string' ? body : JSON.stringify(body));

const fragmentBomb = (levels: number) => {
  let document = 'query { ...F0 }\n';
  for (let i = 0; i < levels; i++) document += `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }\n`;
  return `${document}fragment F${levels} on Query { serviceInfo { role } }`;
};

describe('bounded requests', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  test('a fragment spreading the next one twice, 24 times over, is refused as too costly', async () => {
    const response = await post(api, { query: fragmentBomb(24) });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].extensions.code).toBe('QUERY_TOO_COSTLY');
  });

  test('1,000 nested selections are refused with QUERY_TOO_DEEP, not a stack overflow', async () => {
    const query = `{ customer(id: "x") ${'{ connections { edges { node '.repeat(333)}{ id }${' } } }'.repeat(333)} }`;
    const response = await post(api, { query });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].extensions.code).toBe('QUERY_TOO_DEEP');
  });

  test('a document over MAX_QUERY_TOKENS is refused with QUERY_TOO_LARGE', async () => {
    const response = await post(api, { query: `{ ${'serviceInfo { role } '.repeat(2000)} }` });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].extensions.code).toBe('QUERY_TOO_LARGE');
    expect(response.body.errors[0].message).toMatch(/more than 5000 tokens/);
  });

  test('a document with more selections than MAX_QUERY_SELECTIONS is refused before validation with QUERY_TOO_LARGE', async () => {
    const response = await post(api, { query: `{ customer(id: "x") { ${'id '.repeat(600)} } }` });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].extensions.code).toBe('QUERY_TOO_LARGE');
  });

  test('a document is judged the same when sent again (its verdict is kept): refused every time, or answered every time', async () => {
    const tooLarge = `{ customer(id: "x") { ${'name '.repeat(600)} } }`;
    for (let i = 0; i < 3; i++) {
      const response = await post(api, { query: tooLarge });
      expect({ status: response.status, code: response.body.errors?.[0].extensions.code }).toEqual({ status: 400, code: 'QUERY_TOO_LARGE' });
    }
    for (let i = 0; i < 3; i++) {
      const response = await post(api, { query: '{ serviceInfo { role } }' });
      expect({ status: response.status, data: response.body.data }).toEqual({ status: 200, data: { serviceInfo: { role: expect.any(String) } } });
    }
  });

  test('more root fields than MAX_ROOT_FIELDS are refused with TOO_MANY_ROOT_FIELDS; as many are answered', async () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: serviceInfo { role }`).join(' ')} }`;
    const refused = await post(api, { query: aliases(21) });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].extensions).toMatchObject({ code: 'TOO_MANY_ROOT_FIELDS', rootFields: 21, limit: 20 });
    const answered = await post(api, { query: aliases(20) });
    expect(answered.status).toBe(200);
    expect(Object.keys(answered.body.data)).toHaveLength(20);
  });

  test('a whole-graph ranking costs its @cost weight, so a handful of PAGERANK aliases is already too costly', async () => {
    const query = `{ ${Array.from({ length: 4 }, (_, i) => `p${i}: topInfluencers(by: PAGERANK, limit: 1) { score }`).join(' ')} }`;
    const response = await post(api, { query });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].extensions.code).toBe('QUERY_TOO_COSTLY');
    expect(response.body.errors[0].extensions.cost).toBeGreaterThan(20000);
  });

  test('a JSON body in an unknown charset is 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const response = await post(api, { query: '{ serviceInfo { role } }' }, 'application/json; charset=foo');
    expect(response.status).toBe(415);
    expect(response.body.errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  test('a subscription over HTTP is refused with 400 OPERATION_NOT_SUPPORTED (subscriptions go over WebSocket)', async () => {
    const response = await post(api, { query: 'subscription { reviewQueueChanged { type } }' });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].extensions.code).toBe('OPERATION_NOT_SUPPORTED');
  });

  test.each([
    ['a hash alone', { extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }],
    ['a wrong hash', { query: '{ serviceInfo { role } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'nope' } } }],
    ['a wrong version', { query: '{ serviceInfo { role } }', extensions: { persistedQuery: { version: 7, sha256Hash: 'nope' } } }],
    ['a hash of the wrong type', { query: '{ serviceInfo { role } }', extensions: { persistedQuery: { version: 1, sha256Hash: 12 } } }],
  ])('a persisted-query request with %s is 400 PERSISTED_QUERY_NOT_SUPPORTED', async (_name, body) => {
    const response = await post(api, body);
    expect(response.status).toBe(400);
    expect(response.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
  });

  test('an idempotency key with a lone surrogate is BAD_USER_INPUT naming the key', async () => {
    const response = await request(api.app.app)
      .post('/graphql')
      .set('authorization', `Bearer ${KEYS.service}`)
      .set('content-type', 'application/json')
      // Written by hand: JSON.stringify would escape the lone surrogate the same way, but say so plainly.
      .send(
        '{"query":"mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) { orderId } }",' +
          '"variables":{"input":{"customerId":"nobody","productId":"p","orderId":"o","amount":1,"currency":"EUR","idempotencyKey":"k\\ud800"}}}',
      );
    expect(response.status).toBe(200);
    expect(response.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' });
  });
});

describe('bounded answers', () => {
  test('an answer larger than MAX_RESPONSE_BYTES is replaced by RESPONSE_TOO_LARGE', async () => {
    const api = await startTestApi({ MAX_RESPONSE_BYTES: '100' });
    try {
      const query = `{ ${Array.from({ length: 10 }, (_, i) => `a${i}: serviceInfo { role }`).join(' ')} }`;
      const response = await post(api, { query });
      expect(response.body.data).toBeUndefined();
      expect(response.body.errors[0].extensions.code).toBe('RESPONSE_TOO_LARGE');
      expect((await post(api, { query: '{ serviceInfo { role } }' })).body.data.serviceInfo.role).toBe('MARKETER');
    } finally {
      await api.close();
    }
  });
});
