import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../../server/live/webhooks/signature';
import { LiveApi, startLiveApi } from '../../support/live';
import { uniquePrefix } from '../../support/services';
import { CREATE, DELETE, DELIVERIES, must, ownDeliveryQueue, review, SECRET, startReceiver, until } from '../../support/webhooks';

// Webhooks end to end: the whole service on the shared Neo4j and Redis, and a real HTTP receiver on
// 127.0.0.1 (allowed by WEBHOOK_ALLOW_HOSTS). Every webhook this file creates is deleted at the end. The API
// delivers through a queue of its own, so no other API process (with settings of its own) takes its deliveries.

jest.setTimeout(90_000);

const created: string[] = [];
const deliveries = ownDeliveryQueue('webhooks');
let api: LiveApi;

beforeAll(async () => {
  api = await startLiveApi({ WEBHOOK_QUEUE: deliveries.queue });
});

afterAll(async () => {
  for (const id of created) await api.gql('admin', DELETE, { id });
  await api?.close();
  await deliveries.drop();
});

async function createWebhook(url: string, events = ['REVIEW_POSTED']): Promise<string> {
  const { createWebhook: webhook } = await must(api, CREATE, { input: { url, events, secret: SECRET } });
  created.push(webhook.id);
  return webhook.id;
}

test('a receiver that answers 500 twice gets the event on the third attempt, signed, and the log shows every attempt', async () => {
  const receiver = await startReceiver(2);
  try {
    const webhookId = await createWebhook(receiver.url);
    const customerId = uniquePrefix('hook-retry');
    await review(api, customerId);

    const requests = await until('three attempts', () => (receiver.about(customerId).length >= 3 ? receiver.about(customerId) : null));
    const bodies = requests.map((request) => JSON.parse(request.body));
    expect(new Set(bodies.map((body) => body.id)).size).toBe(1);
    expect(bodies[2]).toMatchObject({ type: 'REVIEW_POSTED', data: { customerId, productId: `${customerId}-p` } });
    for (const request of requests) {
      const header = String(request.headers['grapevine-signature']);
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifySignature(SECRET, request.body, header)).toBe(true);
      expect(verifySignature('another-secret-of-16+', request.body, header)).toBe(false);
    }

    const delivered = await until('the log to say DELIVERED', async () => {
      const { webhookDeliveries } = await must(api, DELIVERIES, { id: webhookId });
      return webhookDeliveries.find((delivery: { eventId: string; status: string }) => delivery.eventId === bodies[0].id && delivery.status === 'DELIVERED');
    });
    expect(delivered.attempts.map((attempt: { statusCode: number }) => attempt.statusCode)).toEqual([500, 500, 200]);
    expect(delivered.nextRetryAt).toBeNull();

    // redeliver: the same event again, as a new delivery.
    const { redeliver } = await must(api, `mutation($id: ID!) { redeliver(input: { deliveryId: $id }) { id eventId status } }`, { id: delivered.id });
    expect(redeliver).toMatchObject({ eventId: bodies[0].id, status: 'PENDING' });
    expect(redeliver.id).not.toBe(delivered.id);
    await until('the redelivery', () => receiver.about(customerId).length >= 4);
    expect(JSON.parse(receiver.about(customerId)[3].body).id).toBe(bodies[0].id);
  } finally {
    await receiver.close();
  }
});

test('deliveries never reach loopback or private addresses outside WEBHOOK_ALLOW_HOSTS, nor follow redirects', async () => {
  const redirecting = http.createServer((_request, response) => {
    response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' });
    response.end();
  });
  await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = redirecting.address() as AddressInfo;
    const refused = await createWebhook(`http://localhost:${port}/hook`);
    const redirected = await createWebhook(`http://127.0.0.1:${port}/hook`);
    const customerId = uniquePrefix('hook-ssrf');
    await review(api, customerId);

    const firstAttempt = (webhookId: string) => async () => {
      const { webhookDeliveries } = await must(api, DELIVERIES, { id: webhookId });
      return webhookDeliveries[0]?.attempts[0];
    };
    const refusal = await until('the refused attempt', firstAttempt(refused));
    expect(refusal).toMatchObject({ statusCode: null });
    expect(refusal.error).toContain('refused');
    const redirect = await until('the redirected attempt', firstAttempt(redirected));
    expect(redirect).toMatchObject({ statusCode: 302, error: 'redirects are not followed' });
  } finally {
    await new Promise<void>((resolve) => redirecting.close(() => resolve()));
  }
});

test('only admins manage webhooks, and the secret is never returned', async () => {
  const input = { url: 'https://example.com/hook', events: ['CHAIN_GREW'], secret: SECRET };
  const forbidden = await api.gql('marketer', CREATE, { input });
  expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

  const webhookId = await createWebhook(input.url, input.events);
  const { webhooks } = await must(api, `{ webhooks { id url events enabled createdAt } }`, {});
  expect(webhooks.find((webhook: { id: string }) => webhook.id === webhookId)).toMatchObject({ url: input.url, events: ['CHAIN_GREW'], enabled: true });
  expect(JSON.stringify(webhooks)).not.toContain(SECRET);

  const { disableWebhook } = await must(api, `mutation($id: ID!) { disableWebhook(input: { id: $id }) { enabled } }`, { id: webhookId });
  expect(disableWebhook.enabled).toBe(false);

  const bad = await api.gql('admin', CREATE, { input: { ...input, url: 'ftp://example.com', secret: 'short' } });
  expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.url' });
  const missing = await api.gql('admin', DELIVERIES, { id: 'wh_nope' });
  expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'webhookId' });
});
