import { CAMPAIGN, INVITE, PURCHASE, SIGNUP, UPSERT_ID, iso, key, ok } from '../../support/builders';
import { startTestApi, TestApi, uniquePrefix } from '../../support/services';

const REFERRED_BY = `
  query($id: ID!) {
    customer(id: $id) {
      stage
      purchases { totalCount }
      referredBy { status signedUpAt firstPurchaseAt }
    }
  }
`;
const CONVERSION = `
  query($filter: ConversionFilter) {
    referralConversion(filter: $filter) {
      overall {
        referrals referrers
        signedUp { count }
        converted { count rate }
        repeatBuyers { count rate }
        medianHoursToConversion invitesPerReferrer kFactor
      }
    }
  }
`;

/**
 * Rule under test: a credited referral converts on the invitee's first purchase at or after the credited sign-up,
 * whatever order the events are recorded in; a purchase before the sign-up counts for the customer's stage and
 * purchase totals only. Root r invites a–f by email on day 1 at 12:00; every sign-up is on day 3 at 12:00.
 *
 *   a  buys day 2, signs up, buys day 4                             → converts on day 4 (one purchase after: not a repeat buyer)
 *   b  buys day 5, day 2 and day 7 first, signs up afterwards        → the credit itself converts it, on day 5; repeat buyer
 *   c  signs up, buys day 8, then day 4, then day 2 (recorded late)  → firstPurchaseAt moves back to day 4, not day 2; repeat buyer
 *   d  buys twice on day 2, then signs up                            → stays SIGNED_UP, although d is a REPEAT_BUYER customer
 *   e  buys on day 2 and never signs up                               → stays INVITED
 *   f  signs up and buys at the same instant                          → converts on day 3 ("at or after")
 */
describe('a referral converts on the first purchase at or after the credited sign-up', () => {
  let api: TestApi;
  const p = uniquePrefix('conv');
  const id = (name: string) => `${p}-${name}`;
  const campaign = id('camp');
  let order = 0;

  const signup = (who: string) => ok(api, SIGNUP, { input: { customerId: id(who), at: iso(3), idempotencyKey: key('s') } });
  const buy = (who: string, day: number, amount: number, hour = 12) =>
    ok(api, PURCHASE, { input: { customerId: id(who), productId: id('p'), orderId: `${id(who)}-${++order}`, amount, currency: 'EUR', at: iso(day, hour), idempotencyKey: key('p') } });
  const referredBy = async (who: string) => (await ok(api, REFERRED_BY, { id: id(who) })).customer;

  beforeAll(async () => {
    api = await startTestApi();
    await ok(api, CAMPAIGN, { input: { id: campaign, name: 'Conversion after sign-up', startsAt: iso(1, 0), endsAt: '2099-01-01T00:00:00Z', attributionWindowDays: 30 } });
    await ok(api, UPSERT_ID, { input: { id: id('r') } });
    for (const invitee of ['a', 'b', 'c', 'd', 'e', 'f']) {
      await ok(api, INVITE, { input: { referrerId: id('r'), campaignId: campaign, invitee: { id: id(invitee) }, channel: 'email', at: iso(1), idempotencyKey: key('i') } });
    }
  });
  afterAll(() => api.close());

  test('a purchase before the sign-up does not convert; the first purchase after it does', async () => {
    await buy('a', 2, 10);
    const credited = await signup('a');
    expect(credited.recordSignup.referral.status).toBe('SIGNED_UP');
    expect(await referredBy('a')).toEqual({ stage: 'BUYER', purchases: { totalCount: 1 }, referredBy: { status: 'SIGNED_UP', signedUpAt: iso(3), firstPurchaseAt: null } });
    await buy('a', 4, 20);
    expect(await referredBy('a')).toEqual({ stage: 'REPEAT_BUYER', purchases: { totalCount: 2 }, referredBy: { status: 'CONVERTED', signedUpAt: iso(3), firstPurchaseAt: iso(4) } });
  });

  test('a sign-up credited after backfilled purchases converts at once, on the earliest purchase at or after it', async () => {
    await buy('b', 5, 30);
    await buy('b', 2, 40);
    await buy('b', 7, 50);
    const credited = await signup('b');
    expect(credited.recordSignup.referral.status).toBe('CONVERTED');
    expect((await referredBy('b')).referredBy).toEqual({ status: 'CONVERTED', signedUpAt: iso(3), firstPurchaseAt: iso(5) });
  });

  test('a purchase recorded late with an earlier date moves firstPurchaseAt back, but never before the sign-up', async () => {
    await signup('c');
    await buy('c', 8, 60);
    expect((await referredBy('c')).referredBy).toMatchObject({ status: 'CONVERTED', firstPurchaseAt: iso(8) });
    await buy('c', 4, 70);
    expect((await referredBy('c')).referredBy).toMatchObject({ status: 'CONVERTED', firstPurchaseAt: iso(4) });
    await buy('c', 2, 80);
    expect(await referredBy('c')).toEqual({ stage: 'REPEAT_BUYER', purchases: { totalCount: 3 }, referredBy: { status: 'CONVERTED', signedUpAt: iso(3), firstPurchaseAt: iso(4) } });
  });

  test('only purchases before the sign-up leave the referral signed up while the customer is a repeat buyer', async () => {
    await buy('d', 2, 5, 10);
    await buy('d', 2, 5, 14);
    const credited = await signup('d');
    expect(credited.recordSignup.referral.status).toBe('SIGNED_UP');
    expect(await referredBy('d')).toEqual({ stage: 'REPEAT_BUYER', purchases: { totalCount: 2 }, referredBy: { status: 'SIGNED_UP', signedUpAt: iso(3), firstPurchaseAt: null } });
  });

  test('a purchase by an invitee who never signed up converts nothing, and one at the sign-up instant converts', async () => {
    await buy('e', 2, 7);
    const invite = await ok(api, `
      query($id: ID!) {
        customer(id: $id) {
          referrals {
            edges {
              node {
                status firstPurchaseAt
                invitee { id }
              }
            }
          }
        }
      }
    `, { id: id('r') });
    const toE = invite.customer.referrals.edges.map((edge: { node: { invitee: { id: string } } }) => edge.node).find((node: { invitee: { id: string } }) => node.invitee.id === id('e'));
    expect(toE).toMatchObject({ status: 'INVITED', firstPurchaseAt: null });
    await signup('f');
    await buy('f', 3, 9);
    expect((await referredBy('f')).referredBy).toEqual({ status: 'CONVERTED', signedUpAt: iso(3), firstPurchaseAt: iso(3) });
  });

  test('the funnel counts conversions and repeat buyers after the sign-up only, and the K-factor follows', async () => {
    const overall = (await ok(api, CONVERSION, { filter: { campaignId: campaign } })).referralConversion.overall;
    // 6 referrals from 1 referrer. Signed up: a, b, c, d, f. Converted: a, b, c, f (not d, not e): 4 of 6.
    // Repeat buyers, two purchases at or after day 3: b (days 5, 7) and c (days 4, 8); a and d bought twice but
    // once or never after signing up. Hours from the day-1 invite to conversion: a 72, b 96, c 72, f 48 → median 72.
    // K-factor = invites per referrer 6 × conversion rate 4/6 = 4.
    expect(overall).toEqual({
      referrals: 6, referrers: 1, signedUp: { count: 5 },
      converted: { count: 4, rate: 0.666667 }, repeatBuyers: { count: 2, rate: 0.333333 },
      medianHoursToConversion: 72, invitesPerReferrer: 6, kFactor: 4,
    });
  });

  test('purchase totals and the tree below still count purchases made before the sign-up', async () => {
    const reach = (await ok(api, `
      query($id: ID!) {
        influencerReach(customerId: $id) {
          downstreamCustomers downstreamConverted downstreamPurchaseTotal
        }
      }
    `, { id: id('r') })).influencerReach;
    // Customers below r: a, b, c, d, f (e never signed up). Spent: a 30, b 120, c 210, d 10, f 9.
    expect(reach).toEqual({ downstreamCustomers: 5, downstreamConverted: 4, downstreamPurchaseTotal: 379 });
  });
});

describe('a credited sign-up and a later-dated purchase recorded at the same time', () => {
  let api: TestApi;
  const p = uniquePrefix('conv-race');
  const id = (name: string) => `${p}-${name}`;
  const campaign = id('camp');
  const invitees = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

  beforeAll(async () => {
    api = await startTestApi();
    await ok(api, CAMPAIGN, { input: { id: campaign, name: 'Race', startsAt: iso(1, 0), endsAt: '2099-01-01T00:00:00Z', attributionWindowDays: 30 } });
    await ok(api, UPSERT_ID, { input: { id: id('r') } });
    for (const invitee of invitees) {
      await ok(api, INVITE, { input: { referrerId: id('r'), campaignId: campaign, invitee: { id: id(invitee) }, channel: 'email', at: iso(1), idempotencyKey: key('i') } });
    }
  });
  afterAll(() => api.close());

  test('convert the referral whichever commits first', async () => {
    await Promise.all(invitees.flatMap((invitee) => [
      ok(api, SIGNUP, { input: { customerId: id(invitee), at: iso(3), idempotencyKey: key('s') } }),
      ok(api, PURCHASE, { input: { customerId: id(invitee), productId: id('p'), orderId: `${id(invitee)}-1`, amount: 1, currency: 'EUR', at: iso(4), idempotencyKey: key('p') } }),
    ]));
    for (const invitee of invitees) {
      const customer = (await ok(api, REFERRED_BY, { id: id(invitee) })).customer;
      expect(customer.referredBy).toMatchObject({ status: 'CONVERTED', firstPurchaseAt: iso(4) });
    }
  });
});
