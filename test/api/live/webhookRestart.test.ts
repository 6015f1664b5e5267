import { verifySignature } from '../../../server/live/webhooks/signature';
import { LiveApi, startLiveApi } from '../../support/live';
import { uniquePrefix } from '../../support/services';
import { CREATE, DELETE, DELIVERIES, must, ownDeliveryQueue, review, SECRET, startReceiver, until } from '../../support/webhooks';

// A restart of the API in the middle of a delivery's retries. The APIs here use a delivery queue of their
// own (WEBHOOK_QUEUE), so no other API process that tests run at the same time takes these deliveries.

jest.setTimeout(120_000);

const deliveries = ownDeliveryQueue('webhook-restart');
const QUEUE = deliveries.queue;

afterAll(() => deliveries.drop());

test('deliveries queued in Redis survive a restart of the API in the middle of their retries', async () => {
  const receiver = await startReceiver(2);
  // Retries a few seconds apart, so the first API is gone before the second attempt is due.
  const settings = { WEBHOOK_QUEUE: QUEUE, WEBHOOK_RETRY_BASE_MS: '4000', WEBHOOK_RETRY_MAX_MS: '4000' };
  let first: LiveApi | undefined = await startLiveApi(settings);
  let second: LiveApi | undefined;
  let webhookId = '';
  try {
    const { createWebhook: webhook } = await must(first, CREATE, { input: { url: receiver.url, events: ['REVIEW_POSTED'], secret: SECRET } });
    webhookId = webhook.id;
    const customerId = uniquePrefix('hook-restart');
    await review(first, customerId);
    await until('the first attempt', () => receiver.about(customerId).length >= 1);
    await first.close();
    first = undefined;

    second = await startLiveApi(settings);
    const requests = await until('the third attempt', () => (receiver.about(customerId).length >= 3 ? receiver.about(customerId) : null), 60_000);
    expect(new Set(requests.map((request) => JSON.parse(request.body).id)).size).toBe(1);
    expect(verifySignature(SECRET, requests[2].body, String(requests[2].headers['grapevine-signature']))).toBe(true);
    const { webhookDeliveries } = await must(second, DELIVERIES, { id: webhookId });
    expect(webhookDeliveries[0]).toMatchObject({ status: 'DELIVERED' });
    const statuses = webhookDeliveries[0].attempts.map((attempt: { statusCode: number }) => attempt.statusCode);
    expect(statuses[0]).toBe(500); // made by the first API, before it stopped
    expect(statuses[statuses.length - 1]).toBe(200); // made by the second
  } finally {
    await (second ?? first)?.gql('admin', DELETE, { id: webhookId });
    await first?.close();
    await second?.close();
    await receiver.close();
  }
});

