import { CAMPAIGN, CONNECT, failure, FOLLOW, INVITE, iso, key, ok, PURCHASE, REVIEW, SIGNUP, UPSERT } from '../../support/builders';
import { startExclusiveTestApi } from '../../support/exclusive';
import type { TestApi } from '../../support/services';
import { snapshotStoreFor } from '../../../server/cache/snapshots';
import { refreshSnapshots } from '../../../server/jobs/snapshotRefresh';
import { createLogger } from '../../../server/logger';

// A whole-graph ranking: checked on an empty Neo4j of its own, against the score computed here from the
// table of reviews, purchases, ties and referrals below, by the formula the SDL states.

const ADVOCATE_FIELDS = `
  customer { id } score recommend promoter reviewCount experienceLift reachWithin1Hop reachWithin2Hops
  invitesSent conversions conversionRate lastPurchaseAt daysSinceLastPurchase asOf cursor
`;
const ADVOCATES = `query($filter: AdvocateFilter) { advocates(filter: $filter) { ${ADVOCATE_FIELDS} } }`;
const UNTAPPED = `query($limit: Int) { untappedAdvocates(limit: $limit) { ${ADVOCATE_FIELDS} } }`;

const DAY_MS = 86_400_000;
const PEOPLE = ['p1', 'p2', 'p3', 'p4', 'p5', 'n1', 's1', 's2', 's3', 's4', 's5', 's6'];
const KNOWS: Array<[string, string]> = [
  ['p1', 's1'], ['p1', 's2'], ['p1', 's3'], ['s1', 's4'], ['s2', 's5'], ['p2', 's1'], ['p2', 's6'], ['s6', 's5'], ['p3', 's4'], ['n1', 's6'],
];
const FOLLOWS: Array<[string, string]> = [['s3', 'p4']];
// author, product, rating, recommend, day
const REVIEWS: Array<[string, string, number, number | null, number]> = [
  ['p1', 'A', 5, 10, 10], ['p2', 'A', 4, 9, 11], ['p2', 'B', 5, null, 12], ['p3', 'A', 2, 7, 5], ['p3', 'B', 3, 8, 20],
  ['p4', 'B', 1, 3, 8], ['p5', 'A', 5, 10, 9],
];
// customer, day (after the referral sign-ups below for i1)
const PURCHASES: Array<[string, number]> = [['p1', 25], ['p2', 15], ['p3', 2], ['n1', 20], ['i1', 14]];
// referrer, invitee, campaign, signs up, buys
const REFERRALS: Array<[string, string, string, boolean]> = [['p2', 'i1', 'C', true], ['p2', 'i2', 'C', true], ['p3', 'i3', 'D', false]];

interface Expected {
  id: string;
  score: number;
  recommend: number | null;
  reviewCount: number;
  experienceLift: number | null;
  reachWithin1Hop: number;
  reachWithin2Hops: number;
  invitesSent: number;
  conversions: number;
  lastPurchaseDay: number | null;
}

describe('advocates rank customers by the reasons a referral request to them will bring something', () => {
  let api: TestApi;
  const id = (name: string) => `adv-${name}`;
  const campaign = (name: string) => `adv-camp-${name}`;
  const day = (d: number) => Date.parse(iso(d));

  beforeAll(async () => {
    api = await startExclusiveTestApi();
    for (const name of PEOPLE) await ok(api, UPSERT, { input: { id: id(name), name, email: `${name}@adv.example.com` } });
    for (const c of ['C', 'D']) {
      await ok(api, CAMPAIGN, { input: { id: campaign(c), name: c, startsAt: iso(1, 0), endsAt: '2099-01-01T00:00:00Z', attributionWindowDays: 30 } });
    }
    for (const [a, b] of KNOWS) await ok(api, CONNECT, { input: { customerId: id(a), otherId: id(b), idempotencyKey: key('k') } });
    for (const [a, b] of FOLLOWS) await ok(api, FOLLOW, { input: { followerId: id(a), followedId: id(b), idempotencyKey: key('f') } });
    for (const [referrer, invitee, c, signsUp] of REFERRALS) {
      await ok(api, INVITE, { input: { referrerId: id(referrer), campaignId: campaign(c), invitee: { id: id(invitee) }, channel: 'email', at: iso(12), idempotencyKey: key('i') } });
      if (signsUp) await ok(api, SIGNUP, { input: { customerId: id(invitee), at: iso(13), idempotencyKey: key('s') } });
    }
    for (const [author, product, rating, recommend, d] of REVIEWS) {
      await ok(api, REVIEW, { input: { customerId: id(author), productId: `adv-${product}`, rating, recommend, at: iso(d), idempotencyKey: key('r') } });
    }
    for (const [customer, d] of PURCHASES) {
      await ok(api, PURCHASE, { input: { customerId: id(customer), productId: 'adv-A', orderId: `adv-o-${customer}`, amount: 10, currency: 'EUR', at: iso(d), idempotencyKey: key('p') } });
    }
  });
  afterAll(() => api.close());

  /** Every customer who bought or reviewed, with each reason computed from the tables above. */
  function expected(asOf: number, campaignFilter: string | null = null): Expected[] {
    const adjacency = new Map<string, Set<string>>();
    const link = (a: string, b: string) => {
      if (!adjacency.has(a)) adjacency.set(a, new Set());
      adjacency.get(a)!.add(b);
    };
    for (const [a, b] of [...KNOWS, ...FOLLOWS]) {
      link(a, b);
      link(b, a);
    }
    const within = (start: string, hops: number) => {
      const seen = new Set([start]);
      let frontier = [start];
      for (let hop = 0; hop < hops; hop++) {
        frontier = frontier.flatMap((at) => [...(adjacency.get(at) ?? [])].filter((n) => !seen.has(n) && seen.add(n)));
      }
      return seen.size - 1;
    };
    const productAverage = (product: string) => {
      const ratings = REVIEWS.filter((r) => r[1] === product).map((r) => r[2]);
      return ratings.reduce((a, b) => a + b, 0) / ratings.length;
    };
    const population = new Set([...REVIEWS.map((r) => r[0]), ...PURCHASES.map((p) => p[0])]);
    return [...population]
      .filter((c) => campaignFilter === null || REFERRALS.some(([referrer, , camp]) => referrer === c && camp === campaignFilter))
      .map((c) => {
        const reviews = REVIEWS.filter((r) => r[0] === c);
        const answered = reviews.filter((r) => r[3] !== null).sort((a, b) => b[4] - a[4]);
        const recommend = answered.length > 0 ? answered[0][3] : null;
        const experienceLift = reviews.length === 0 ? null : reviews.reduce((sum, r) => sum + r[2] - productAverage(r[1]), 0) / reviews.length;
        const sent = REFERRALS.filter(([referrer, , camp]) => referrer === c && (campaignFilter === null || camp === campaignFilter));
        const conversions = sent.filter(([, invitee]) => PURCHASES.some(([buyer]) => buyer === invitee)).length;
        const purchaseDays = PURCHASES.filter((p) => p[0] === c).map((p) => p[1]);
        const lastPurchaseDay = purchaseDays.length > 0 ? Math.max(...purchaseDays) : null;
        const reach2 = within(c, 2);
        const nps = recommend === null ? 0 : recommend / 10;
        const experience = experienceLift === null ? 0 : Math.min(1, Math.max(0, 0.5 + experienceLift / 4));
        const reach = Math.min(1, Math.log10(1 + reach2) / 3);
        const referral = (conversions + 1) / (sent.length + 2);
        const recency = lastPurchaseDay === null ? 0 : 0.5 ** ((asOf - day(lastPurchaseDay)) / DAY_MS / 90);
        return {
          id: id(c),
          score: 100 * (0.3 * nps + 0.15 * experience + 0.25 * reach + 0.15 * referral + 0.1 * recency),
          recommend,
          reviewCount: reviews.length,
          experienceLift,
          reachWithin1Hop: within(c, 1),
          reachWithin2Hops: reach2,
          invitesSent: sent.length,
          conversions,
          lastPurchaseDay,
        };
      })
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  }

  type Answer = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response shapes
  function expectMatches(answers: Answer[], want: Expected[]) {
    expect(answers.map((a) => a.customer.id)).toEqual(want.map((w) => w.id));
    answers.forEach((answer, index) => {
      const w = want[index];
      expect(answer.score).toBeCloseTo(w.score, 4);
      expect(answer).toMatchObject({
        recommend: w.recommend,
        promoter: w.recommend !== null && w.recommend >= 9,
        reviewCount: w.reviewCount,
        reachWithin1Hop: w.reachWithin1Hop,
        reachWithin2Hops: w.reachWithin2Hops,
        invitesSent: w.invitesSent,
        conversions: w.conversions,
        conversionRate: w.invitesSent === 0 ? 0 : w.conversions / w.invitesSent,
        lastPurchaseAt: w.lastPurchaseDay === null ? null : iso(w.lastPurchaseDay),
      });
      if (w.experienceLift === null) expect(answer.experienceLift).toBeNull();
      else expect(answer.experienceLift).toBeCloseTo(w.experienceLift, 10);
      if (w.lastPurchaseDay === null) expect(answer.daysSinceLastPurchase).toBeNull();
      else expect(answer.daysSinceLastPurchase).toBeCloseTo((Date.parse(answer.asOf) - day(w.lastPurchaseDay)) / DAY_MS, 2);
    });
  }

  test('every customer who bought or reviewed is ranked by the documented score, each reason matching the tables', async () => {
    const data = await ok(api, ADVOCATES, { filter: { limit: 100 } }, 'admin');
    const asOf = Date.parse(data.advocates[0].asOf);
    expect(new Set(data.advocates.map((a: Answer) => a.asOf)).size).toBe(1);
    expectMatches(data.advocates, expected(asOf));
  });

  test('pages follow each other through their cursors without gaps or repeats', async () => {
    const all = (await ok(api, ADVOCATES, {}, 'admin')).advocates;
    expect(all.length).toBe(expected(Date.now()).length);
    const paged: Answer[] = [];
    let after: string | undefined;
    for (;;) {
      const page = (await ok(api, ADVOCATES, { filter: { limit: 3, after } }, 'admin')).advocates;
      paged.push(...page);
      if (page.length < 3) break;
      after = page[page.length - 1].cursor;
    }
    expect(paged).toEqual(all);
  });

  test('minRecommend, stage and campaignId narrow the ranking; a campaign counts only its own referrals', async () => {
    const promoters = (await ok(api, ADVOCATES, { filter: { minRecommend: 9 } }, 'admin')).advocates;
    const asOf = Date.parse(promoters[0].asOf);
    expectMatches(promoters, expected(asOf).filter((w) => w.recommend !== null && w.recommend >= 9));

    const strangers = (await ok(api, ADVOCATES, { filter: { stage: 'STRANGER' } }, 'admin')).advocates;
    expect(strangers.map((a: Answer) => a.customer.id).sort()).toEqual([id('p4'), id('p5')]);

    const inC = (await ok(api, ADVOCATES, { filter: { campaignId: campaign('C') } }, 'admin')).advocates;
    expectMatches(inC, expected(Date.parse(inC[0].asOf), 'C'));
    expect(inC[0]).toMatchObject({ customer: { id: id('p2') }, invitesSent: 2, conversions: 1, conversionRate: 0.5 });
    const inD = (await ok(api, ADVOCATES, { filter: { campaignId: campaign('D') } }, 'admin')).advocates;
    expect(inD.map((a: Answer) => [a.customer.id, a.invitesSent, a.conversions])).toEqual([[id('p3'), 1, 0]]);
  });

  test('untappedAdvocates are the promoters with reach who never sent a referral', async () => {
    const data = await ok(api, UNTAPPED, {}, 'admin');
    const asOf = Date.parse(data.untappedAdvocates[0].asOf);
    const want = expected(asOf).filter((w) => w.recommend !== null && w.recommend >= 9 && w.reachWithin2Hops > 0 && REFERRALS.every(([r]) => id(r) !== w.id));
    expect(want.map((w) => w.id)).toEqual([id('p1')]);
    expectMatches(data.untappedAdvocates, want);
  });

  test('marketers and community may ask and never see an email; the service role may not', async () => {
    for (const role of ['marketer', 'community'] as const) expect((await api.gql(role, ADVOCATES, {})).errors).toBeUndefined();
    const withEmail = await api.gql('marketer', '{ advocates { customer { email } } untappedAdvocates { customer { email } } }');
    expect(failure(withEmail).code).toBe('FORBIDDEN');
    expect(JSON.stringify(withEmail.data)).not.toContain('@adv.example.com');
    expect(failure(await api.gql('service', ADVOCATES, {})).code).toBe('FORBIDDEN');
    expect(failure(await api.gql('service', UNTAPPED, {})).code).toBe('FORBIDDEN');
  });

  test('bad filters are errors naming the field', async () => {
    const ask = (filter: Record<string, unknown>) => api.gql('admin', ADVOCATES, { filter });
    expect(failure(await ask({ limit: 0 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.limit' });
    expect(failure(await ask({ limit: 101 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.limit' });
    expect(failure(await ask({ minRecommend: 11 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.minRecommend' });
    expect(failure(await ask({ after: 'garbage' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.after' });
    expect(failure(await ask({ campaignId: 'adv-no-such-campaign' }))).toMatchObject({ code: 'NOT_FOUND', field: 'filter.campaignId' });
    expect(failure(await ask({ campaignId: 'not an id' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.campaignId' });
    expect(failure(await api.gql('admin', UNTAPPED, { limit: 101 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'limit' });
  });

  // Last: it writes what the tables above do not hold.
  test('the ranking is a snapshot: a new NPS answer shows, with a later asOf, once the refresh job has run', async () => {
    const before = (await ok(api, ADVOCATES, { filter: { limit: 100 } }, 'admin')).advocates;
    expect(before.find((a: Answer) => a.customer.id === id('n1')).recommend).toBeNull();
    await ok(api, REVIEW, { input: { customerId: id('n1'), productId: 'adv-A', rating: 5, recommend: 10, at: iso(21), idempotencyKey: key('r') } });
    expect((await ok(api, ADVOCATES, { filter: { limit: 100 } }, 'admin')).advocates).toEqual(before);
    // The exclusive graph holds this test's data only, so every snapshot may be refreshed.
    await refreshSnapshots(api.graph, snapshotStoreFor(api.store), createLogger('silent'));
    const after = (await ok(api, ADVOCATES, { filter: { limit: 100 } }, 'admin')).advocates;
    expect(after.find((a: Answer) => a.customer.id === id('n1'))).toMatchObject({ recommend: 10, promoter: true, reviewCount: 1 });
    expect(Date.parse(after[0].asOf)).toBeGreaterThan(Date.parse(before[0].asOf));
    const untapped = (await ok(api, UNTAPPED, {}, 'admin')).untappedAdvocates.map((a: Answer) => a.customer.id);
    expect(untapped.sort()).toEqual([id('n1'), id('p1')]);
  });
});
