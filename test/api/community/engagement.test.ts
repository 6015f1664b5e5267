import { FOLLOW, INVITE, CAMPAIGN, iso, key, ok, PURCHASE, REVIEW, UPSERT_ID, failure } from '../../support/builders';
import { startExclusiveTestApi } from '../../support/exclusive';
import type { TestApi } from '../../support/services';

const DAY = 24 * 3600 * 1000;
const SETTINGS = {
  ENGAGEMENT_PERIOD_DAYS: '10',
  ENGAGEMENT_PRESENCE_DAYS: '3',
  ENGAGEMENT_WEIGHT_PURCHASE: '3',
  ENGAGEMENT_WEIGHT_REFERRAL: '2',
  ENGAGEMENT_WEIGHT_REVIEW: '2',
  ENGAGEMENT_WEIGHT_FOLLOW: '1',
  ENGAGEMENT_LEADING_SCORE: '8',
  ENGAGEMENT_CONTRIBUTING_SCORE: '4',
};
type Kind = 'purchase' | 'referral' | 'review' | 'follow';
const WEIGHT: Record<Kind, number> = { purchase: 3, referral: 2, review: 2, follow: 1 };

/**
 * Each customer's events, in days before now (half days keep them off the period boundaries). The periods are
 * [now − 10 d, now) and [now − 20 d, now − 10 d); presence is any event in the last 3 days of a period.
 */
const EVENTS: Record<string, Array<[Kind, number]>> = {
  lead: [['purchase', 1], ['purchase', 2], ['review', 1.5]], // 8, present: leading; nothing before: exploring
  contrib: [['follow', 0.5], ['purchase', 5], ['purchase', 12], ['purchase', 12.5], ['purchase', 14]], // 4 present now; 9 present before
  part: [['purchase', 6]], // 3, absent: participating
  absent: [['purchase', 5], ['purchase', 6], ['purchase', 7], ['referral', 15]], // 9 but absent: participating; 2 before
  idle: [],
};

/** The rules as the README states them, written again here. */
function level(events: Array<[Kind, number]>, periodEndDaysAgo: number): number {
  const inPeriod = events.filter(([, daysAgo]) => daysAgo > periodEndDaysAgo && daysAgo <= periodEndDaysAgo + 10);
  const score = inPeriod.reduce((total, [kind]) => total + WEIGHT[kind], 0);
  const present = inPeriod.some(([, daysAgo]) => daysAgo <= periodEndDaysAgo + 3);
  if (present && score >= 8) return 1;
  if (present && score >= 4) return 2;
  if (score > 0) return 3;
  return 4;
}

const LEVELS = `{
  engagementLevels {
    asOf periodEnd customers
    settings { purchaseWeight referralWeight reviewWeight followWeight periodDays presenceDays leadingScore contributingScore }
    levels { level name customers previousCustomers }
    transitions { from to customers }
  }
}`;

describe('engagement levels by commitment and presence, now and in the previous period', () => {
  let api: TestApi;
  const id = (name: string) => `en-${name}`;

  beforeAll(async () => {
    api = await startExclusiveTestApi(SETTINGS);
    const now = Date.now();
    const at = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
    for (const name of [...Object.keys(EVENTS), 'other']) await ok(api, UPSERT_ID, { input: { id: id(name) } });
    await ok(api, CAMPAIGN, { input: { id: id('camp'), name: 'Levels', startsAt: iso(1, 0), endsAt: '2099-01-01T00:00:00Z', attributionWindowDays: 30 } });
    let order = 0;
    for (const [name, events] of Object.entries(EVENTS)) {
      for (const [kind, daysAgo] of events) {
        order += 1;
        const customerId = id(name);
        if (kind === 'purchase') await ok(api, PURCHASE, { input: { customerId, productId: id('p'), orderId: id(`o${order}`), amount: 5, currency: 'EUR', at: at(daysAgo), idempotencyKey: key('p') } });
        if (kind === 'review') await ok(api, REVIEW, { input: { customerId, productId: id(`r${order}`), rating: 5, at: at(daysAgo), idempotencyKey: key('r') } });
        if (kind === 'follow') await ok(api, FOLLOW, { input: { followerId: customerId, followedId: id('other'), at: at(daysAgo), idempotencyKey: key('f') } });
        if (kind === 'referral') await ok(api, INVITE, { input: { referrerId: customerId, campaignId: id('camp'), invitee: { id: id(`inv${order}`) }, channel: 'email', at: at(daysAgo), idempotencyKey: key('i') } });
      }
    }
  }, 60_000);
  afterAll(async () => {
    await api?.close();
  });

  test('every customer is in one level, counted now and in the previous period as the rules say', async () => {
    const { engagementLevels } = await ok(api, LEVELS, {}, 'admin');
    // Customers without events of their own (the followed customer, the invitee) are exploring in both periods.
    const everyone = { ...EVENTS, other: [], invitee: [] };
    const now = Object.values(everyone).map((events) => level(events, 0));
    const before = Object.values(everyone).map((events) => level(events, 10));
    expect(engagementLevels.customers).toBe(Object.keys(everyone).length);
    expect(engagementLevels.levels).toEqual(
      ['LEADING', 'CONTRIBUTING', 'PARTICIPATING', 'EXPLORING'].map((name, index) => ({
        level: index + 1,
        name,
        customers: now.filter((l) => l === index + 1).length,
        previousCustomers: before.filter((l) => l === index + 1).length,
      })),
    );
    expect(engagementLevels.levels.map((l: { customers: number }) => l.customers)).toEqual([1, 1, 2, 3]);
  });

  test('the transition matrix holds all 16 pairs and counts each customer once, from the previous level to the current', async () => {
    const { engagementLevels } = await ok(api, LEVELS, {}, 'admin');
    const everyone = { ...EVENTS, other: [], invitee: [] };
    const expected = new Map<string, number>();
    for (const events of Object.values(everyone)) {
      const cell = `${level(events, 10)}->${level(events, 0)}`;
      expected.set(cell, (expected.get(cell) ?? 0) + 1);
    }
    expect(engagementLevels.transitions).toHaveLength(16);
    for (const { from, to, customers } of engagementLevels.transitions) expect(customers).toBe(expected.get(`${from}->${to}`) ?? 0);
    expect(expected.get('1->2')).toBe(1); // contrib slipped from leading to contributing
  });

  test('the answer states the weights and windows from the environment, and its asOf is the end of the current period', async () => {
    const { engagementLevels } = await ok(api, LEVELS, {}, 'admin');
    expect(engagementLevels.settings).toEqual({ purchaseWeight: 3, referralWeight: 2, reviewWeight: 2, followWeight: 1, periodDays: 10, presenceDays: 3, leadingScore: 8, contributingScore: 4 });
    expect(Date.parse(engagementLevels.periodEnd)).toBeGreaterThanOrEqual(Date.parse(engagementLevels.asOf));
  });

  test("Customer.engagementLevel gives one customer's current level by the same rules", async () => {
    const names = ['LEADING', 'CONTRIBUTING', 'PARTICIPATING', 'EXPLORING'];
    for (const [name, events] of Object.entries(EVENTS)) {
      const { customer } = await ok(api, 'query($id: ID!) { customer(id: $id) { engagementLevel } }', { id: id(name) }, 'admin');
      expect([name, customer.engagementLevel]).toEqual([name, names[level(events, 0) - 1]]);
    }
  });

  test('the service role may not read engagement levels', async () => {
    expect(failure(await api.gql('service', LEVELS)).code).toBe('FORBIDDEN');
  });
});
