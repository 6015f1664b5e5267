import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../server/config';
import { BULL_PREFIX } from '../../server/live/webhooks/deliveryQueue';
import { key, REVIEW, UPSERT_ID } from './builders';
import type { LiveApi } from './live';
import { testStore, TestRole } from './services';

// What webhook tests share: a local receiver, the documents, and waiting for an outcome.

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A local endpoint that answers each event's first `failures` requests with 500, then 200. */
export async function startReceiver(failures: number) {
  const requests: Received[] = [];
  const seen = new Map<string, number>();
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      requests.push({ headers: request.headers, body });
      const eventId = String(request.headers['grapevine-event-id']);
      const count = (seen.get(eventId) ?? 0) + 1;
      seen.set(eventId, count);
      response.statusCode = count <= failures ? 500 : 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    /** The requests about `customerId`. */
    about: (customerId: string) => requests.filter((request) => (JSON.parse(request.body) as { data: { customerId?: string } }).data.customerId === customerId),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A delivery queue (WEBHOOK_QUEUE) of a test file's own: its consumer group on the stream and its jobs are the
 * file's alone, so no other API process that tests run meanwhile dispatches or delivers its events. `drop` removes
 * the group and the jobs at the end.
 */
export function ownDeliveryQueue(name: string) {
  const queue = `${name}-${crypto.randomBytes(4).toString('hex')}`;
  return {
    queue,
    async drop() {
      const store = testStore();
      await store.redis.xgroup('DESTROY', loadConfig({}).EVENT_STREAM_KEY, queue).catch(() => {});
      const keys = await store.redis.keys(`${BULL_PREFIX}:${queue}:*`);
      if (keys.length > 0) await store.redis.del(...keys);
      await store.close();
    },
  };
}

export const SECRET = 'whsec-test-0123456789abcdef';
export const CREATE = `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { id url events enabled } }`;
export const DELIVERIES = `query($id: ID!) { webhookDeliveries(webhookId: $id) { id eventId eventType status nextRetryAt attempts { statusCode error } } }`;
export const DELETE = `mutation($id: ID!) { deleteWebhook(input: { id: $id }) }`;

export async function must(target: LiveApi, query: string, variables: Record<string, unknown>, role: TestRole = 'admin') {
  const body = await target.gql(role, query, variables);
  if (body.errors) throw new Error(`unexpected errors: ${JSON.stringify(body.errors)}`);
  return body.data!;
}

/** A review by a new customer: one REVIEW_POSTED event about `customerId`. */
export async function review(target: LiveApi, customerId: string) {
  await must(target, UPSERT_ID, { input: { id: customerId } }, 'service');
  await must(target, REVIEW, { input: { customerId, productId: `${customerId}-p`, rating: 5, idempotencyKey: key('hook') } }, 'service');
}

export async function until<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
