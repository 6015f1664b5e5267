import { failure, iso, key, ok } from '../../support/builders';
import { startExclusiveTestApi } from '../../support/exclusive';
import { TEST_IDENTIFIER_SECRET, TestApi } from '../../support/services';
import { givenCampaign, givenReferrer, ISSUE, SIGNUP_HELD } from './documents';
import crypto from 'node:crypto';

// Whole-graph: fraudRings reads every customer, so this file has a Neo4j and Redis of its own.

let api: TestApi;
beforeAll(async () => {
  api = await startExclusiveTestApi();
});
afterAll(() => api.close());

const RINGS = `
  query($minSize: Int, $limit: Int) {
    fraudRings(minSize: $minSize, limit: $limit) {
      asOf
      rings {
        id size score sharedIdentifierShare referralDensity refundRate
        members { id }
        links { identifier { kind hashPrefix } customerIds }
        referrals { referrerId inviteeId status }
      }
    }
  }
`;
const REVIEWS = `query($id: ID!) { customer(id: $id) { reviews(first: 10) { edges { node { suspicious suspicionReasons product { id } } } } } }`;

/** The hash prefix evidence shows, computed here from the definition: HMAC-SHA256 of `KIND:normalised value`. */
const prefixOf = (kind: string, normalised: string) => crypto.createHmac('sha256', TEST_IDENTIFIER_SECRET).update(`${kind}:${normalised}`).digest('hex').slice(0, 8);

/** The data of a query sent with a community manager's key, which must not fail. */
async function asCommunity(query: string, variables: Record<string, unknown>) {
  const body = await api.gql('community', query, variables);
  expect(body.errors).toBeUndefined();
  return body.data!;
}

const DEVICE = 'Device-Ring-0001';
const PAYMENT = 'card-tok-9876';

beforeAll(async () => {
  const campaign = await givenCampaign(api, 'r');
  // The ring: a → b → c → d by code, every account on one device; c and d also share a card.
  let code = await givenReferrer(api, 'r-a', campaign, [{ kind: 'DEVICE', value: DEVICE }]);
  for (const [name, extra] of [['b', []], ['c', [{ kind: 'PAYMENT', value: PAYMENT }]], ['d', [{ kind: 'PAYMENT', value: PAYMENT }]]] as const) {
    const data = await ok(api, SIGNUP_HELD, {
      input: { customerId: `r-${name}`, code, at: iso(10), identifiers: [{ kind: 'DEVICE', value: DEVICE.toLowerCase() }, ...extra], idempotencyKey: key(name) },
    });
    expect(data.recordSignup.referral).toMatchObject({ status: 'HELD', holdReason: 'SHARED_IDENTIFIER' });
    code = (await ok(api, ISSUE, { input: { customerId: `r-${name}`, campaignId: campaign, idempotencyKey: key(name) } })).issueReferralCode.code;
  }
  // d buys and refunds: the ring's refund rate.
  await ok(api, `mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) { orderId } }`, {
    input: { customerId: 'r-d', productId: 'p-1', orderId: 'o-d1', amount: 10, currency: 'EUR', at: iso(11), idempotencyKey: key('o') },
  });
  await ok(api, `mutation($input: RecordRefundInput!) { recordRefund(input: $input) { orderId } }`, { input: { orderId: 'o-d1', idempotencyKey: key('rf') } });
  // An honest referral: no shared identifier, no ring.
  const honest = await givenReferrer(api, 'h-e', campaign, [{ kind: 'DEVICE', value: 'honest-e' }]);
  await ok(api, SIGNUP_HELD, { input: { customerId: 'h-f', code: honest, at: iso(10), identifiers: [{ kind: 'DEVICE', value: 'honest-f' }], idempotencyKey: key('f') } });
  // A pair sharing only an IP, without referrals: a ring of two.
  for (const id of ['x-g', 'x-h']) {
    await ok(api, `mutation($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { id } }`, { input: { id, identifiers: [{ kind: 'IP', value: '198.51.100.23' }] } });
  }
  // Reviews of one product: two ring members and the honest referrer.
  for (const id of ['r-a', 'r-b', 'h-e']) {
    await ok(api, `mutation($input: RecordReviewInput!) { recordReview(input: $input) { rating } }`, { input: { customerId: id, productId: 'p-1', rating: 5, idempotencyKey: key(id) } });
  }
});

describe('fraudRings', () => {
  test('finds the accounts sharing a device that refer each other, with the device as evidence and the score by its formula', async () => {
    const data = await ok(api, RINGS, { minSize: 3 }, 'admin');
    expect(new Date(data.fraudRings.asOf).getTime()).toBeLessThanOrEqual(Date.now());
    expect(data.fraudRings.rings).toHaveLength(1);
    const [ring] = data.fraudRings.rings;
    expect(ring.members.map((m: { id: string }) => m.id).sort()).toEqual(['r-a', 'r-b', 'r-c', 'r-d']);
    expect(ring.links).toEqual(
      expect.arrayContaining([
        { identifier: { kind: 'DEVICE', hashPrefix: prefixOf('DEVICE', DEVICE.toLowerCase()) }, customerIds: ['r-a', 'r-b', 'r-c', 'r-d'] },
        { identifier: { kind: 'PAYMENT', hashPrefix: prefixOf('PAYMENT', PAYMENT) }, customerIds: ['r-c', 'r-d'] },
      ]),
    );
    expect(ring.referrals).toEqual([
      { referrerId: 'r-a', inviteeId: 'r-b', status: 'HELD' },
      { referrerId: 'r-b', inviteeId: 'r-c', status: 'HELD' },
      { referrerId: 'r-c', inviteeId: 'r-d', status: 'HELD' },
    ]);
    // Both of the members' two identifiers are shared; three referrals among four is a full chain; 1 of 1 purchase refunded.
    expect(ring).toMatchObject({ size: 4, sharedIdentifierShare: 1, referralDensity: 1, refundRate: 1, score: 1 });
  });

  test('minSize 2 also shows the pair sharing an IP, scored lower; limit cuts the list', async () => {
    const data = await asCommunity(RINGS, { minSize: 2 });
    expect(data.fraudRings.rings.map((ring: { size: number }) => ring.size)).toEqual([4, 2]);
    expect(data.fraudRings.rings[1]).toMatchObject({ sharedIdentifierShare: 1, referralDensity: 0, refundRate: 0, score: 0.5 });
    expect((await asCommunity(RINGS, { minSize: 2, limit: 1 })).fraudRings.rings).toHaveLength(1);
  });

  test('a marketer may not read fraud rings; a bad minSize is BAD_USER_INPUT', async () => {
    expect(failure(await api.gql('marketer', RINGS, {})).code).toBe('FORBIDDEN');
    expect(failure(await api.gql('admin', RINGS, { minSize: 1 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'minSize' });
  });
});

describe('review manipulation', () => {
  test('reviews by ring members sharing identifiers with the product\'s other reviewers are flagged; the honest review is not', async () => {
    await ok(api, RINGS, {}, 'admin'); // the snapshot the flags read
    const flags = async (id: string) => (await ok(api, REVIEWS, { id })).customer.reviews.edges[0].node;
    expect(await flags('r-a')).toEqual({ suspicious: true, suspicionReasons: ['RING_MEMBER', 'SHARES_IDENTIFIER_WITH_REVIEWER'], product: { id: 'p-1' } });
    expect(await flags('r-b')).toMatchObject({ suspicious: true });
    expect(await flags('h-e')).toEqual({ suspicious: false, suspicionReasons: [], product: { id: 'p-1' } });
  });
});
