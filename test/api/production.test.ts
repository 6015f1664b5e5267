import request from 'supertest';
import { buildDashboard } from '../../scripts/buildDashboard';
import { KEYS, startTestApi, TestApi } from '../support/services';

const INTROSPECTION = '{ __schema { queryType { name } } }';
const TYPE_LOOKUP = '{ __type(name: "Customer") { fields { name } } }';
const FRAGMENT_INTROSPECTION = 'query { ...Meta } fragment Meta on Query { __schema { types { name } } }';
const MISSPELT_FIELD = '{ servceInfo { role } }';
const MISSPELT_INPUT = 'query($id: ID!) { customer(id: $id) { nme } }';

describe('production mode (NODE_ENV=production)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ NODE_ENV: 'production', IDENTIFIER_HMAC_SECRET: 'test-identifier-secret-for-production-mode' });
  });
  afterAll(() => api.close());

  test('a service key gets no introspection, however it is spelt, and FORBIDDEN says why', async () => {
    for (const query of [INTROSPECTION, TYPE_LOOKUP, FRAGMENT_INTROSPECTION]) {
      const body = await api.gql('service', query);
      expect(body.data ?? null).toBeNull();
      expect(body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
  });

  test('a service key still gets __typename, which is not introspection', async () => {
    const body = await api.gql('service', '{ __typename serviceInfo { role } }');
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ __typename: 'Query', serviceInfo: { role: 'SERVICE' } });
  });

  test('a service key gets no "Did you mean" hints in validation errors', async () => {
    for (const query of [MISSPELT_FIELD, MISSPELT_INPUT]) {
      const body = await api.gql('service', query, { id: 'c1' });
      expect(body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(body.errors?.[0].message).toMatch(/^Cannot query field "(servceInfo|nme)" on type "(Query|Customer)"\.$/);
      expect(JSON.stringify(body)).not.toMatch(/Did you mean/);
    }
  });

  test('an admin key gets introspection and the hints', async () => {
    const schema = await api.gql('admin', INTROSPECTION);
    expect(schema.errors).toBeUndefined();
    expect(schema.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const type = await api.gql('admin', TYPE_LOOKUP);
    expect(type.data?.__type.fields.map((field: { name: string }) => field.name)).toContain('email');
    const misspelt = await api.gql('admin', MISSPELT_FIELD);
    expect(misspelt.errors?.[0].message).toMatch(/Did you mean "serviceInfo"\?/);
  });

  test('GET /graphql from a browser serves the bundled GraphiQL, never Apollo\'s Sandbox from a CDN', async () => {
    buildDashboard();
    const response = await request(api.app.app).get('/graphql').set('accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(response.status).toBe(200);
    expect(response.text).toMatch(/<title>Grapevine GraphQL explorer<\/title>/);
    expect(response.text).toMatch(/<script type="module" crossorigin src="\/assets\/explorer-[\w-]+\.js"><\/script>/);
    // Every script and stylesheet is the server's own: nothing names another origin, nothing is inline.
    expect(response.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(response.text).not.toMatch(/<script(?![^>]*src=)[^>]*>/);
    expect(response.text).not.toMatch(/sandbox/i);
    expect(response.headers['content-security-policy']).toMatch(/default-src 'self'/);
    // A client that does not ask for HTML still reaches the API, which wants a key.
    const json = await request(api.app.app).get('/graphql').query({ query: '{ serviceInfo { role } }' }).set('accept', 'application/json');
    expect(json.status).toBe(401);
  });

  test('every response carries helmet security headers, and GraphQL POSTs still work', async () => {
    const post = await request(api.app.app).post('/graphql').set('authorization', `Bearer ${KEYS.service}`).send({ query: '{ serviceInfo { role } }' });
    expect(post.status).toBe(200);
    expect(post.body.data.serviceInfo.role).toBe('SERVICE');
    for (const response of [post, await request(api.app.app).get('/healthz')]) {
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(response.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(response.headers['x-powered-by']).toBeUndefined();
    }
  });
});

describe('development mode (the default)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ NODE_ENV: 'development' });
  });
  afterAll(() => api.close());

  test('every key gets introspection and hints, and there is no CSP', async () => {
    const body = await api.gql('service', INTROSPECTION);
    expect(body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    expect((await api.gql('service', MISSPELT_FIELD)).errors?.[0].message).toMatch(/Did you mean "serviceInfo"\?/);
    const response = await request(api.app.app).get('/healthz');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toBeUndefined();
  });
});
