import { BATCH, CAMPAIGN, ISSUE_CODE, iso, key, PURCHASE, REVIEW, SIGNUP, UPSERT_ID } from '../../support/builders';
import { LiveApi, startLiveApi, subscribe, Subscription, untilSubscribed } from '../../support/live';
import { emitEvents, reviewEvent } from '../../../graph/outbox';
import { KEYS, TestRole, testGraph, uniquePrefix } from '../../support/services';

// Subscriptions over real WebSockets (graphql-ws client over ws) against the whole service on the shared
// Neo4j and Redis. Every id is this run's own, and each subscription filters by them.

jest.setTimeout(60_000);

const EVENT_FIELDS = `id type sequence rootCustomerId customerId referrerId inviteeId campaignId productId generation`;
const CHAIN = `subscription($root: ID!) { chainActivity(rootCustomerId: $root) { ${EVENT_FIELDS} } }`;
const CAMPAIGN_FEED = `subscription($campaign: ID!) { referralActivity(campaignId: $campaign) { ${EVENT_FIELDS} } }`;

let api: LiveApi;
const open: Subscription[] = [];

beforeAll(async () => {
  api = await startLiveApi();
});

afterAll(async () => {
  for (const subscription of open) subscription.dispose();
  await api?.close();
});

/** Event mutations need an idempotency key; each call here draws a new one unless it brings its own. */
const keyed = (input: Record<string, unknown>) => ({ idempotencyKey: key('live'), ...input });

async function must(query: string, variables: Record<string, unknown>, role: TestRole = 'service') {
  const body = await api.gql(role, query, variables);
  if (body.errors) throw new Error(`unexpected errors: ${JSON.stringify(body.errors)}`);
  return body.data!;
}

function watch(role: TestRole, query: string, variables: Record<string, unknown>): Subscription {
  const subscription = subscribe(api.wsUrl, `Bearer ${KEYS[role]}`, query, variables);
  open.push(subscription);
  return subscription;
}

/** A campaign and a root advocate with a code in it. */
async function givenRootWithCode(prefix: string) {
  const root = `${prefix}-root`;
  const campaign = `${prefix}-camp`;
  await must(UPSERT_ID, { input: { id: root, name: 'Root' } });
  await must(CAMPAIGN, { input: { id: campaign, name: 'Live', startsAt: iso(1, 0), endsAt: '2099-01-01T00:00:00.000Z' } });
  const code = await codeOf(root, campaign);
  return { root, campaign, code };
}

async function codeOf(customerId: string, campaignId: string): Promise<string> {
  return (await must(ISSUE_CODE, { input: keyed({ customerId, campaignId }) })).issueReferralCode.code;
}

/** The first thing a subscription got: a result, or the error (or close code) that ended it. */
const firstOutcome = (subscription: Subscription) => Promise.race([subscription.waitFor(1).then(([first]) => first), subscription.closed]);

const events = (subscription: Subscription, field: string) => subscription.results.map((result) => result.data?.[field]);

test('events of one referral tree reach every subscriber once, in commit order, from single mutations and batches alike', async () => {
  const prefix = uniquePrefix('live-order');
  const { root, campaign, code } = await givenRootWithCode(prefix);
  const admin = watch('admin', CHAIN, { root });
  const marketer = watch('marketer', CHAIN, { root });
  const byCampaign = watch('community', CAMPAIGN_FEED, { campaign });
  await untilSubscribed(api.running, 3);

  const a = `${prefix}-a`;
  const b = `${prefix}-b`;
  const c = `${prefix}-c`;
  const d = `${prefix}-d`;
  const signupA = keyed({ customerId: a, code, at: iso(2) });
  await must(SIGNUP, { input: signupA });
  await must(SIGNUP, { input: signupA }); // a replay: publishes nothing
  const codeA = await codeOf(a, campaign);
  await must(SIGNUP, { input: keyed({ customerId: b, code: codeA, at: iso(3) }) });
  await must(PURCHASE, { input: keyed({ customerId: a, productId: `${prefix}-p`, orderId: `${prefix}-o1`, amount: 10, currency: 'EUR', at: iso(4) }) });
  await must(SIGNUP, { input: keyed({ customerId: c, code, at: iso(5) }) });
  await must(BATCH, {
    events: [
      { recordSignup: keyed({ customerId: d, code, at: iso(6) }) },
      { recordReview: keyed({ customerId: d, productId: `${prefix}-p`, rating: 5 }) },
    ],
  });
  await must(REVIEW, { input: keyed({ customerId: b, productId: `${prefix}-p`, rating: 4 }) });

  const expected = [
    ['CUSTOMER_SIGNED_UP', a], ['REFERRAL_CREDITED', a], ['CHAIN_GREW', a],
    ['CUSTOMER_SIGNED_UP', b], ['REFERRAL_CREDITED', b], ['CHAIN_GREW', b],
    ['REFERRAL_CONVERTED', a],
    ['CUSTOMER_SIGNED_UP', c], ['REFERRAL_CREDITED', c],
    ['CUSTOMER_SIGNED_UP', d], ['REFERRAL_CREDITED', d], ['REVIEW_POSTED', d],
    ['REVIEW_POSTED', b],
  ];
  await admin.waitFor(expected.length);
  await marketer.waitFor(expected.length);
  // A last write and its event: anything published twice or late would have arrived before it.
  await must(REVIEW, { input: keyed({ customerId: root, productId: `${prefix}-p`, rating: 3 }) });
  await admin.waitFor(expected.length + 1);
  await marketer.waitFor(expected.length + 1);

  const received = events(admin, 'chainActivity');
  expect(received.map((event) => [event.type, event.customerId])).toEqual([...expected, ['REVIEW_POSTED', root]]);
  expect(received.every((event) => event.rootCustomerId === root)).toBe(true);
  expect(new Set(received.map((event) => event.id)).size).toBe(received.length);
  const sequences = received.map((event) => event.sequence);
  expect(sequences).toEqual(sequences.map((_s, i) => sequences[0] + i));
  expect(received.filter((event) => event.type === 'CHAIN_GREW').map((event) => event.generation)).toEqual([1, 2]);
  expect(events(marketer, 'chainActivity')).toEqual(received);

  // The campaign's feed: everything that names the campaign (reviews do not).
  const campaignEvents = received.filter((event) => event.campaignId === campaign);
  await byCampaign.waitFor(campaignEvents.length);
  expect(events(byCampaign, 'referralActivity')).toEqual(campaignEvents);
});

test('a rolled-back batch publishes nothing', async () => {
  const prefix = uniquePrefix('live-rollback');
  const { root, code } = await givenRootWithCode(prefix);
  const chain = watch('service', CHAIN, { root });
  await untilSubscribed(api.running, open.length);

  const body = await api.gql('service', BATCH, {
    events: [
      { recordSignup: keyed({ customerId: `${prefix}-x`, code, at: iso(2) }) },
      { recordReview: keyed({ customerId: `${prefix}-x`, productId: `${prefix}-p`, rating: 5 }) },
      // Judged against the graph after the events before it were written: the batch rolls back.
      { recordPurchase: keyed({ customerId: `${prefix}-nobody`, productId: `${prefix}-p`, orderId: `${prefix}-o`, amount: 1, currency: 'EUR' }) },
    ],
  });
  expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'events[2].recordPurchase.customerId' });

  await must(REVIEW, { input: keyed({ customerId: root, productId: `${prefix}-p`, rating: 5 }) });
  await chain.waitFor(1);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(events(chain, 'chainActivity').map((event) => [event.type, event.customerId])).toEqual([['REVIEW_POSTED', root]]);
});

test("a marketer's subscription carries no email, and service keys see it", async () => {
  const prefix = uniquePrefix('live-email');
  const { root } = await givenRootWithCode(prefix);
  const email = `${prefix}@example.com`;
  await must(UPSERT_ID, { input: { id: root, email } });
  const query = `subscription($root: ID!) { chainActivity(rootCustomerId: $root) { type customer { id email } } }`;
  const marketer = watch('marketer', query, { root });
  const service = watch('service', query, { root });
  await untilSubscribed(api.running, open.length);

  await must(REVIEW, { input: keyed({ customerId: root, productId: `${prefix}-p`, rating: 5 }) });
  const [seenByMarketer] = await marketer.waitFor(1);
  const [seenByService] = await service.waitFor(1);
  expect(JSON.stringify(seenByMarketer)).not.toContain(email);
  expect(seenByMarketer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect(seenByService.data?.chainActivity.customer.email).toBe(email);
});

test('an event whose commit was not followed by its relay (a crash) is still published by a later relay pass or the sweep', async () => {
  const prefix = uniquePrefix('live-sweep');
  const customerId = `${prefix}-c`;
  await must(UPSERT_ID, { input: { id: customerId } });
  const chain = watch('service', CHAIN, { root: customerId });
  await untilSubscribed(api.running, open.length);
  const graph = testGraph();
  try {
    // A transaction that tells nobody it committed: as if the process died right after the commit.
    await graph.writeTransaction((tx) => emitEvents({ run: tx.run }, [reviewEvent(customerId, `${prefix}-p`)]));
  } finally {
    await graph.close();
  }
  const [event] = await chain.waitFor(1);
  expect(event.data?.chainActivity).toMatchObject({ type: 'REVIEW_POSTED', customerId, rootCustomerId: customerId });
});

test('a WebSocket with an unknown key is closed with 4403 and no subscription starts', async () => {
  const refused = subscribe(api.wsUrl, 'Bearer not-a-key-of-this-server', CHAIN, { root: 'nobody' });
  open.push(refused);
  expect(await refused.closed).toBe(4403);
});

test('queries and mutations over the WebSocket are refused: they go through HTTP', async () => {
  const query = watch('admin', `query { serviceInfo { role } }`, {});
  const error = await firstOutcome(query);
  expect(JSON.stringify(error)).toContain('OPERATION_NOT_SUPPORTED');
});

test('reviewQueueChanged is for those who work the queue, not for service keys', async () => {
  const refused = watch('service', `subscription { reviewQueueChanged { id } }`, {});
  const error = await firstOutcome(refused);
  expect(JSON.stringify(error)).toContain('FORBIDDEN');
});

test('in production a misspelt subscription gets "Did you mean" hints only for keys allowed schema details', async () => {
  const production = await startLiveApi({ NODE_ENV: 'production' });
  try {
    const misspelt = `subscription { chainActivty(rootCustomerId: "x") { id } }`;
    const asMarketer = subscribe(production.wsUrl, `Bearer ${KEYS.marketer}`, misspelt);
    const asAdmin = subscribe(production.wsUrl, `Bearer ${KEYS.admin}`, misspelt);
    open.push(asMarketer, asAdmin);
    const [marketerError, adminError] = await Promise.all([firstOutcome(asMarketer), firstOutcome(asAdmin)]);
    expect(JSON.stringify(marketerError)).toContain('Cannot query field');
    expect(JSON.stringify(marketerError)).not.toContain('Did you mean');
    expect(JSON.stringify(adminError)).toContain('Did you mean');
  } finally {
    await production.close();
  }
});

test('a key holds at most WS_MAX_CONNECTIONS_PER_KEY sockets and a socket WS_MAX_SUBSCRIPTIONS_PER_CONNECTION subscriptions', async () => {
  const capped = await startLiveApi({ WS_MAX_CONNECTIONS_PER_KEY: '2', WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '1' });
  const sockets: Subscription[] = [];
  try {
    const root = `${uniquePrefix('capped')}-root`;
    for (let i = 0; i < 2; i++) sockets.push(subscribe(capped.wsUrl, `Bearer ${KEYS.marketer}`, CHAIN, { root }));
    await untilSubscribed(capped.running, 2);
    const third = subscribe(capped.wsUrl, `Bearer ${KEYS.marketer}`, CHAIN, { root });
    sockets.push(third);
    expect(await third.closed).toBe(4429);
    // Another key is counted apart.
    const other = subscribe(capped.wsUrl, `Bearer ${KEYS.community}`, CHAIN, { root });
    sockets.push(other);
    await untilSubscribed(capped.running, 3);
    // One socket, two subscriptions: the second is refused.
    const { createClient } = await import('graphql-ws');
    const WebSocket = (await import('ws')).default;
    const client = createClient({ url: capped.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${KEYS.admin}` }, retryAttempts: 0 });
    try {
      const outcome = (query: string) =>
        new Promise<unknown>((resolve) => {
          client.subscribe({ query, variables: { root } }, { next: resolve, error: resolve, complete: () => {} });
        });
      void outcome(CHAIN);
      await untilSubscribed(capped.running, 4);
      expect(JSON.stringify(await outcome(CHAIN))).toContain('RATE_LIMITED');
    } finally {
      await client.dispose();
    }
    // A socket that closes frees its place.
    sockets[0].dispose();
    const deadline = Date.now() + 10_000;
    let replaced: Subscription | undefined;
    while (Date.now() < deadline) {
      replaced = subscribe(capped.wsUrl, `Bearer ${KEYS.marketer}`, CHAIN, { root });
      sockets.push(replaced);
      const settled = await Promise.race([replaced.closed, new Promise((resolve) => setTimeout(() => resolve('open'), 500))]);
      if (settled === 'open') break;
    }
    expect(await Promise.race([replaced!.closed, new Promise((resolve) => setTimeout(() => resolve('open'), 500))])).toBe('open');
  } finally {
    for (const socket of sockets) socket.dispose();
    await capped.close();
  }
});
