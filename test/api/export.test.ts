import request from 'supertest';
import { CONNECT, key, ok, UPSERT } from '../support/builders';
import { KEYS, startTestApi, TestApi, uniquePrefix } from '../support/services';

const CONNECTIONS = `
  query($id: ID!, $first: Int!, $after: String) {
    customer(id: $id) {
      connections(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        edges { strength node { id name email } }
      }
    }
  }
`;

describe('CSV export of any list (/export.csv)', () => {
  let api: TestApi;
  const prefix = uniquePrefix('export');
  const hub = `${prefix}-hub`;
  const friends = Array.from({ length: 7 }, (_, i) => `${prefix}-f${i}`);

  beforeAll(async () => {
    api = await startTestApi({ EXPORT_MAX_ROWS: '5' });
    await ok(api, UPSERT, { input: { id: hub, name: 'Hub', email: `${prefix}-hub@example.com` } });
    for (const [i, id] of friends.entries()) {
      await ok(api, UPSERT, { input: { id, name: `Friend, "${i}"`, email: `${id}@example.com` } });
      await ok(api, CONNECT, { input: { customerId: hub, otherId: id, strength: (i + 1) / 10, idempotencyKey: key('export') } });
    }
  });
  afterAll(() => api.close());

  const exportAs = (role: keyof typeof KEYS, body: Record<string, unknown>) =>
    request(api.app.app).post('/export.csv').set('authorization', `Bearer ${KEYS[role]}`).send(body);

  test('follows the pages up to EXPORT_MAX_ROWS and says the export was cut there', async () => {
    const response = await exportAs('admin', { query: CONNECTIONS, variables: { id: hub, first: 2 } });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['grapevine-export-rows']).toBe('5');
    expect(response.headers['grapevine-export-truncated']).toBe('true');
    const lines = response.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('strength,id,name,email');
    expect(lines).toHaveLength(6);
    // Strongest first, as the API lists them; the name's comma and quotes survive quoting.
    expect(lines[1]).toBe(`0.7,${friends[6]},"Friend, ""6""",${friends[6]}@example.com`);
    expect(lines.slice(1).map((line) => line.split(',')[1])).toEqual([...friends].reverse().slice(0, 5));
  });

  test('applies the same role rules as /graphql: a marketer asking for emails gets the error, not the emails', async () => {
    const response = await exportAs('marketer', { query: CONNECTIONS, variables: { id: hub, first: 2 } });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(JSON.stringify(response.body)).not.toContain('@example.com');
    expect(response.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const withoutEmail = await exportAs('marketer', { query: CONNECTIONS.replace(' email', ''), variables: { id: hub, first: 10 } });
    expect(withoutEmail.status).toBe(200);
    expect(withoutEmail.text).not.toContain('@example.com');
    expect(withoutEmail.headers['grapevine-export-truncated']).toBe('true');
  });

  test('refuses mutations, answers without a list, bad variables and missing keys with 4xx and a named field', async () => {
    const mutation = await exportAs('admin', { query: UPSERT, variables: { input: { id: `${prefix}-new` } } });
    expect(mutation.status).toBe(400);
    expect(mutation.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'query' });
    const noList = await exportAs('admin', { query: `query { customer(id: "${hub}") { id } }` });
    expect(noList.status).toBe(400);
    expect(noList.body.errors[0].extensions.field).toBe('query');
    const badVariables = await request(api.app.app).get('/export.csv').query({ query: CONNECTIONS, variables: '{not json' }).set('authorization', `Bearer ${KEYS.admin}`);
    expect(badVariables.status).toBe(400);
    expect(badVariables.body.errors[0].extensions.field).toBe('variables');
    const anonymous = await request(api.app.app).post('/export.csv').send({ query: CONNECTIONS });
    expect(anonymous.status).toBe(401);
  });

  test('a GET with the query in the URL exports too (the key stays in the header)', async () => {
    const response = await request(api.app.app)
      .get('/export.csv')
      .query({ query: CONNECTIONS.replace(' email', ''), variables: JSON.stringify({ id: hub, first: 3 }) })
      .set('authorization', `Bearer ${KEYS.community}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-disposition']).toBe('attachment; filename="customer.csv"');
  });
});
