import { createWebhook, deleteWebhook, disableWebhook } from '../../../../graph/webhooks';
import { WebhookSubscriptions } from '../../../../server/live/webhooks/subscriptions';
import { testGraph, testStore } from '../../../support/services';

const graph = testGraph();
const store = testStore();
afterAll(async () => {
  await graph.close();
  await store.close();
});

const endpoint = (events: Array<'REVIEW_POSTED' | 'CUSTOMER_SIGNED_UP'>) =>
  createWebhook(graph, { url: 'http://127.0.0.1:9/hook', events, secret: 'subscriptions-test-secret' });

/** Which of `ids` the process's subscriptions give for each kind of event. */
async function wanted(subscriptions: WebhookSubscriptions, ids: readonly string[]) {
  const byType = await subscriptions.endpointsFor(['ReviewPosted', 'CustomerSignedUp', 'ReviewPosted']);
  return {
    reviews: byType.get('ReviewPosted')!.filter((id) => ids.includes(id)).sort(),
    signUps: byType.get('CustomerSignedUp')!.filter((id) => ids.includes(id)).sort(),
  };
}

test("a change one process announces reaches another process's dispatch; without an announcement it keeps what it read", async () => {
  // Two processes: `reader` dispatches, `writer` serves the webhook mutations.
  const reader = new WebhookSubscriptions(store.redis, graph);
  const writer = new WebhookSubscriptions(store.redis, graph);
  const reviews = await endpoint(['REVIEW_POSTED']);
  await writer.changed();
  expect(await wanted(reader, [reviews.id])).toEqual({ reviews: [reviews.id], signUps: [] });

  // Written but not announced: the reader does not ask Neo4j again.
  const both = await endpoint(['REVIEW_POSTED', 'CUSTOMER_SIGNED_UP']);
  expect(await wanted(reader, [reviews.id, both.id])).toEqual({ reviews: [reviews.id], signUps: [] });
  await writer.changed();
  expect(await wanted(reader, [reviews.id, both.id])).toEqual({ reviews: [reviews.id, both.id].sort(), signUps: [both.id] });

  await disableWebhook(graph, reviews.id);
  await writer.changed();
  expect(await wanted(reader, [reviews.id, both.id])).toEqual({ reviews: [both.id], signUps: [both.id] });

  await deleteWebhook(graph, both.id);
  await writer.changed();
  expect(await wanted(reader, [reviews.id, both.id])).toEqual({ reviews: [], signUps: [] });
  await deleteWebhook(graph, reviews.id);
});

test('an unannounced change is read after the longest a process keeps the endpoints, or after it forgets them', async () => {
  const brief = new WebhookSubscriptions(store.redis, graph, 0);
  const kept = new WebhookSubscriptions(store.redis, graph);
  await kept.endpointsFor(['ReviewPosted']);
  const reviews = await endpoint(['REVIEW_POSTED']);
  try {
    expect((await wanted(brief, [reviews.id])).reviews).toEqual([reviews.id]);
    expect((await wanted(kept, [reviews.id])).reviews).toEqual([]);
    kept.forget();
    expect((await wanted(kept, [reviews.id])).reviews).toEqual([reviews.id]);
  } finally {
    await deleteWebhook(graph, reviews.id);
  }
});

test('no kinds of events asks nothing', async () => {
  const subscriptions = new WebhookSubscriptions(store.redis, graph);
  expect((await subscriptions.endpointsFor([])).size).toBe(0);
});
