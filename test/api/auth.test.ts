import request from 'supertest';
import { KEYS, startTestApi, TestApi } from '../support/services';

describe('authentication and roles', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  test('a request without a key gets 401 UNAUTHENTICATED', async () => {
    const response = await request(api.app.app).post('/graphql').send({ query: '{ serviceInfo { role } }' });
    expect(response.status).toBe(401);
    expect(response.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  test('a request with an unknown key gets 401', async () => {
    const response = await request(api.app.app)
      .post('/graphql')
      .set('authorization', `Bearer ${KEYS.admin}x`)
      .send({ query: '{ serviceInfo { role } }' });
    expect(response.status).toBe(401);
  });

  test('each key is answered with its own role, as the upper-case Role enum value', async () => {
    for (const role of ['service', 'marketer', 'community', 'admin'] as const) {
      const body = await api.gql(role, '{ serviceInfo { role } }');
      expect(body.data?.serviceInfo.role).toBe(role.toUpperCase());
    }
  });

  test('a marketer or community key writing events gets FORBIDDEN', async () => {
    for (const role of ['marketer', 'community'] as const) {
      const body = await api.gql(role, `
        mutation {
          upsertCustomer(input: { id: "auth-forbidden" }) { id }
        }
      `);
      expect(body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect(body.data).toBeNull();
    }
  });

  test('only an admin key may erase a customer', async () => {
    const body = await api.gql('service', `
      mutation {
        eraseCustomer(id: "nobody") { erased }
      }
    `);
    expect(body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
