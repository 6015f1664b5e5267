import { CAMPAIGN, CLICK, INVITE, iso, key, ok, PURCHASE, SIGNUP, UPSERT } from '../../support/builders';
import { startTestApi, TestApi, uniquePrefix } from '../../support/services';
import { refreshSnapshotsOf } from '../../support/snapshots';

const FUNNEL = `
  overall {
    referrals referrers
    invited { count rate }
    clicked { count rate }
    signedUp { count rate }
    converted { count rate }
    repeatBuyers { count rate }
    medianHoursToConversion invitesPerReferrer kFactor
  }
`;
const CONVERSION = `
  query($filter: ConversionFilter) {
    referralConversion(filter: $filter) {
      ${FUNNEL}
      byGeneration {
        generation
        funnel {
          referrals
          converted { count }
          kFactor medianHoursToConversion
        }
      }
    }
  }
`;

/**
 * A hand-built campaign. Root r invites a, b, c (email) and d (sms) on day 1–2; a and b click, b and c sign up,
 * b buys 72 h after the invite. b invites e and f on day 5; e clicks, signs up and buys twice, 48 h after the invite.
 */
describe('referral analytics on a hand-built campaign', () => {
  let api: TestApi;
  const p = uniquePrefix('funnel');
  const id = (name: string) => `${p}-${name}`;
  const campaign = id('camp');

  beforeAll(async () => {
    api = await startTestApi();
    await ok(api, CAMPAIGN, { input: { id: campaign, name: 'Hand built', startsAt: iso(1, 0), endsAt: '2099-01-01T00:00:00Z', attributionWindowDays: 30 } });
    await ok(api, UPSERT, { input: { id: id('r') } });
    const invite = (from: string, to: string, day: number, channel = 'email') =>
      ok(api, INVITE, { input: { referrerId: id(from), campaignId: campaign, invitee: { id: id(to) }, channel, at: iso(day), idempotencyKey: key('i') } });
    const click = (from: string, to: string, day: number) =>
      ok(api, CLICK, { input: { referrerId: id(from), campaignId: campaign, inviteeId: id(to), at: iso(day), idempotencyKey: key('c') } });
    const signup = (who: string, day: number) => ok(api, SIGNUP, { input: { customerId: id(who), at: iso(day), idempotencyKey: key('s') } });
    const buy = (who: string, day: number, n: number, amount: number) =>
      ok(api, PURCHASE, { input: { customerId: id(who), productId: id('p'), orderId: `${id(who)}-${n}`, amount, currency: 'EUR', at: iso(day), idempotencyKey: key('p') } });
    await invite('r', 'a', 1);
    await invite('r', 'b', 1);
    await invite('r', 'c', 1);
    await invite('r', 'd', 2, 'sms');
    await click('r', 'a', 2);
    await click('r', 'b', 2);
    await signup('b', 3);
    await signup('c', 3);
    await buy('b', 4, 1, 25);
    await invite('b', 'e', 5);
    await invite('b', 'f', 5);
    await click('b', 'e', 6);
    await signup('e', 6);
    await buy('e', 7, 1, 10);
    await buy('e', 8, 2, 15);
  });
  afterAll(() => api.close());

  test('referralConversion counts each funnel step, the median time to conversion and the K-factor', async () => {
    const result = (await ok(api, CONVERSION, { filter: { campaignId: campaign } })).referralConversion;
    expect(result.overall).toEqual({
      referrals: 6, referrers: 2,
      invited: { count: 6, rate: 1 }, clicked: { count: 4, rate: 0.666667 }, signedUp: { count: 3, rate: 0.5 },
      converted: { count: 2, rate: 0.333333 }, repeatBuyers: { count: 1, rate: 0.166667 },
      medianHoursToConversion: 60, invitesPerReferrer: 3, kFactor: 1,
    });
    expect(result.byGeneration).toEqual([
      { generation: 1, funnel: { referrals: 4, converted: { count: 1 }, kFactor: 1, medianHoursToConversion: 72 } },
      { generation: 2, funnel: { referrals: 2, converted: { count: 1 }, kFactor: 1, medianHoursToConversion: 48 } },
    ]);
  });

  test('referralConversion filters by channel, referrer, generation and time range', async () => {
    const overall = async (filter: Record<string, unknown>) => (await ok(api, CONVERSION, { filter: { campaignId: campaign, ...filter } })).referralConversion.overall;
    expect(await overall({ channel: 'sms' })).toMatchObject({ referrals: 1, converted: { count: 0, rate: 0 }, kFactor: 0 });
    expect(await overall({ referrerId: id('b') })).toMatchObject({ referrals: 2, referrers: 1, repeatBuyers: { count: 1, rate: 0.5 }, kFactor: 1 });
    expect(await overall({ generation: 2 })).toMatchObject({ referrals: 2, medianHoursToConversion: 48 });
    expect(await overall({ from: iso(2, 0), to: iso(6, 0) })).toMatchObject({ referrals: 3, referrers: 2 });
    const empty = await overall({ channel: 'link' });
    expect(empty).toMatchObject({ referrals: 0, referrers: 0, medianHoursToConversion: null, kFactor: 0 });
  });

  test('influencerReach counts the tree below per generation, its conversions and purchases', async () => {
    const reach = (await ok(api, `
      query($id: ID!) {
        influencerReach(customerId: $id) {
          customer { id }
          invitesSent directReferrals downstreamCustomers downstreamConverted downstreamPurchaseTotal
          generations { generation customers converted }
          socialReach { hops customers }
        }
      }
    `, { id: id('r') })).influencerReach;
    expect(reach).toEqual({
      customer: { id: id('r') }, invitesSent: 4, directReferrals: 2, downstreamCustomers: 3, downstreamConverted: 2, downstreamPurchaseTotal: 50,
      generations: [{ generation: 1, customers: 2, converted: 1 }, { generation: 2, customers: 1, converted: 1 }],
      socialReach: [{ hops: 1, customers: 0 }, { hops: 2, customers: 0 }, { hops: 3, customers: 0 }],
    });
    const shallow = (await ok(api, `
      query($id: ID!) {
        influencerReach(customerId: $id, maxDepth: 1) { downstreamCustomers }
      }
    `, { id: id('r') })).influencerReach;
    expect(shallow.downstreamCustomers).toBe(2);
  });

  test('referralChain lists the chain up to the root advocate and the tree below, flagging a cut', async () => {
    const CHAIN = `
      query($id: ID!, $depth: Int) {
        referralChain(customerId: $id, maxDepth: $depth) {
          customer { id }
          upward { id }
          root { id }
          downward {
            customer { id }
            depth referrerId status
          }
          truncated
        }
      }
    `;
    const fromE = (await ok(api, CHAIN, { id: id('e') })).referralChain;
    expect(fromE).toEqual({ customer: { id: id('e') }, upward: [{ id: id('b') }, { id: id('r') }], root: { id: id('r') }, downward: [], truncated: false });
    const fromR = (await ok(api, CHAIN, { id: id('r') })).referralChain;
    expect(fromR.upward).toEqual([]);
    expect(fromR.root).toEqual({ id: id('r') });
    expect(fromR.downward).toEqual([
      { customer: { id: id('b') }, depth: 1, referrerId: id('r'), status: 'CONVERTED' },
      { customer: { id: id('c') }, depth: 1, referrerId: id('r'), status: 'SIGNED_UP' },
      { customer: { id: id('e') }, depth: 2, referrerId: id('b'), status: 'CONVERTED' },
    ]);
    expect(fromR.truncated).toBe(false);
    const cut = (await ok(api, CHAIN, { id: id('r'), depth: 1 })).referralChain;
    expect(cut.downward.map((n: { customer: { id: string } }) => n.customer.id)).toEqual([id('b'), id('c')]);
    expect(cut.truncated).toBe(true);
  });

  test('topInfluencers ranks referrers by tree size and by conversions within a campaign', async () => {
    const TOP = `
      query($by: InfluenceMeasure!, $campaign: ID) {
        topInfluencers(by: $by, campaignId: $campaign) {
          rank score
          customer { id }
        }
      }
    `;
    expect((await ok(api, TOP, { by: 'REFERRAL_REACH', campaign })).topInfluencers).toEqual([
      { rank: 1, score: 3, customer: { id: id('r') } },
      { rank: 2, score: 1, customer: { id: id('b') } },
    ]);
    expect((await ok(api, TOP, { by: 'CONVERSIONS', campaign })).topInfluencers).toEqual([
      { rank: 1, score: 2, customer: { id: id('r') } },
      { rank: 2, score: 1, customer: { id: id('b') } },
    ]);
  });

  test('the funnel is served from its snapshot until the refresh job runs, then counts an acknowledged write', async () => {
    const filter = { campaignId: campaign, referrerId: id('b') };
    const before = (await ok(api, CONVERSION, { filter })).referralConversion.overall;
    expect((await api.store.redis.keys('grapevine:snapshot:referralConversion:*')).length).toBeGreaterThan(0);
    expect((await ok(api, CONVERSION, { filter })).referralConversion.overall).toEqual(before);
    await ok(api, SIGNUP, { input: { customerId: id('f'), at: iso(9), idempotencyKey: key('s') } });
    expect((await ok(api, CONVERSION, { filter })).referralConversion.overall).toEqual(before);
    await refreshSnapshotsOf(api, p);
    const after = (await ok(api, CONVERSION, { filter })).referralConversion.overall;
    expect(after.signedUp.count).toBe(before.signedUp.count + 1);
  });
});
