import { CONNECT, failure, INVITE, key, ok, PURCHASE, SIGNUP, UPSERT_ID } from '../../support/builders';
import { startExclusiveTestApi } from '../../support/exclusive';
import type { TestApi } from '../../support/services';

// A hand-built graph on an exclusive Neo4j: ABC tiers, RFM quintiles and lifecycle classes are whole-graph answers.
// Every expected value is computed below from the table of purchases and the rules as the SDL states them.

const DAY = 86_400_000;
const AS_OF = Date.UTC(2027, 0, 1);
const iso = (daysAgo: number) => new Date(AS_OF - daysAgo * DAY).toISOString();
const USD_TO_EUR = 0.9;

interface Buy {
  daysAgo: number;
  amount: number;
  product: string;
  currency?: string;
}

/** Each customer's purchases; the comment is the lifecycle the rules give (checked by computing it below). */
const PURCHASES: Record<string, Buy[]> = {
  a: [350, 290, 230, 170, 110, 50].map((daysAgo) => ({ daysAgo, amount: 500, product: 'p1' })), // MATURE: steady
  b: [200, 170, 140, 110].map((daysAgo, i) => ({ daysAgo, amount: 400, product: i < 2 ? 'p1' : 'p2' })), // DECLINING: 110 > 3 × 30
  c: [200, 100, 40, 20, 5].map((daysAgo, i) => ({ daysAgo, amount: 100 + i, product: 'p3' })), // GROWING
  d: [{ daysAgo: 20, amount: 50, product: 'p1' }, { daysAgo: 10, amount: 50, product: 'p2', currency: 'USD' }], // NEW
  e: [400, 300, 200].map((daysAgo) => ({ daysAgo, amount: 150, product: 'p2' })), // LOST: 200 > 180
  f: [{ daysAgo: 100, amount: 80, product: 'p1' }], // MATURE: one-time buyer
  g: [{ daysAgo: 100, amount: 10, product: 'p1' }, { daysAgo: 95, amount: 30, product: 'p4' }], // DECLINING, tier C
};
const NON_BUYER = 'h';

const rate = (buy: Buy) => (buy.currency === 'USD' ? USD_TO_EUR : 1);
const cents = (value: number) => Math.round(value * 100) / 100;

/** The facts of a customer's purchases, from the table. */
function factsOf(name: string) {
  const buys = [...PURCHASES[name]].sort((x, y) => y.daysAgo - x.daysAgo);
  const times = buys.map((buy) => AS_OF - buy.daysAgo * DAY);
  const gaps = times.slice(1).map((t, i) => t - times[i]).sort((x, y) => x - y);
  const medianGap = gaps.length === 0 ? null : (gaps[Math.floor((gaps.length - 1) / 2)] + gaps[Math.ceil((gaps.length - 1) / 2)]) / 2;
  const converted = buys.map((buy) => buy.amount * rate(buy));
  return {
    purchases: buys.length,
    revenue: cents(converted.reduce((sum, amount) => sum + amount, 0)),
    first: times[0],
    last: times[times.length - 1],
    medianGap,
    recent: times.filter((t) => t > AS_OF - 90 * DAY).length,
    previous: times.filter((t) => t > AS_OF - 180 * DAY && t <= AS_OF - 90 * DAY).length,
    products: new Set(buys.map((buy) => buy.product)).size,
    upsell: converted.slice(1).some((amount) => amount > converted[0]),
  };
}

/** The lifecycle rules of the SDL, in their order, with the default thresholds. */
function lifecycleOf(name: string): string {
  const f = factsOf(name);
  if (AS_OF - f.last > 180 * DAY) return 'LOST';
  if (AS_OF - f.first <= 30 * DAY) return 'NEW';
  if (f.medianGap !== null && AS_OF - f.last > 3 * f.medianGap) return 'DECLINING';
  if (f.recent >= 2 && f.recent > f.previous) return 'GROWING';
  return 'MATURE';
}

const BUYERS = Object.keys(PURCHASES);

/** ABC by cumulative revenue: A while the revenue before a customer is below 80% of the total, B below 95%. */
function tiers(): Record<string, string> {
  const sorted = [...BUYERS].sort((x, y) => factsOf(y).revenue - factsOf(x).revenue);
  const total = sorted.reduce((sum, name) => sum + factsOf(name).revenue, 0);
  let before = 0;
  const tier: Record<string, string> = {};
  for (const name of sorted) {
    tier[name] = before < 0.8 * total ? 'A' : before < 0.95 * total ? 'B' : 'C';
    before += factsOf(name).revenue;
  }
  return tier;
}

/** RFM quintile: 1 + how many of the cut-offs v[floor(k·n/5)], k = 1..4, of the ascending values the value reaches. */
function quintile(pick: (name: string) => number, name: string): number {
  const values = BUYERS.map(pick).sort((x, y) => x - y);
  const cutoffs = [1, 2, 3, 4].map((k) => values[Math.floor((k * values.length) / 5)]);
  return 1 + cutoffs.filter((cutoff) => pick(name) >= cutoff).length;
}

const VALUE_FIELDS = `customer { id } purchases revenue currency distinctProducts lastPurchaseAt medianIntervalDays tier lifecycle rfm { recency frequency monetary }`;
const CUSTOMER_VALUE = `query($id: ID!, $asOf: DateTime, $money: MoneyInput, $rules: ValueRulesInput) {
  customerValue(customerId: $id, asOf: $asOf, money: $money, rules: $rules) { ${VALUE_FIELDS} asOf cutoffsAsOf }
}`;
const SEGMENTS = `query($filter: CustomerSegmentFilter, $first: Int, $after: String, $asOf: DateTime, $money: MoneyInput) {
  customerSegments(filter: $filter, first: $first, after: $after, asOf: $asOf, money: $money) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { customer { id } revenue tier lifecycle } }
  }
}`;
const CHURN = `query($filter: ChurnRiskFilter, $asOf: DateTime, $money: MoneyInput) {
  churnRisks(filter: $filter, asOf: $asOf, money: $money) {
    customer { id } valueAtRisk winBackRoute { id } referrerOnRoute buyingConnections recentlyLostConnections contagionShare value { tier lifecycle }
  }
}`;
const BEHAVIOUR = `query($asOf: DateTime, $money: MoneyInput) {
  purchaseBehaviour(asOf: $asOf, money: $money) {
    currency
    overall { buyers repeatBuyers crossSellBuyers upsellBuyers repeatPurchaseRate crossSellRate upsellRate revenue }
    referred { buyers repeatBuyers crossSellBuyers upsellBuyers }
    organic { buyers repeatBuyers crossSellBuyers upsellBuyers }
    byCampaign { campaign { id } rates { buyers repeatBuyers } }
    byGeneration { generation rates { buyers repeatBuyers crossSellBuyers upsellBuyers } }
  }
}`;
const MONEY = { baseCurrency: 'EUR', rates: [{ currency: 'USD', rate: USD_TO_EUR }] };

describe('customer value, segments, purchase behaviour and churn risks on a hand-built graph', () => {
  let api: TestApi;
  const asOf = new Date(AS_OF).toISOString();
  const ask = (query: string, variables: Record<string, unknown>, role: 'marketer' | 'service' | 'community' | 'admin' = 'marketer') =>
    api.gql(role, query, { asOf, money: MONEY, ...variables });
  const answer = async (query: string, variables: Record<string, unknown> = {}) => {
    const body = await ask(query, variables);
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  };

  beforeAll(async () => {
    api = await startExclusiveTestApi();
    for (const name of [...BUYERS, NON_BUYER]) await ok(api, UPSERT_ID, { input: { id: name, email: `${name}@example.com` } });
    await ok(api, `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }`, {
      input: { id: 'camp', name: 'Friends', startsAt: iso(1000), attributionWindowDays: 30 },
    });
    // a referred b (generation 1), b referred c (generation 2); the others are organic.
    for (const [referrer, invitee] of [['a', 'b'], ['b', 'c']]) {
      await ok(api, INVITE, { input: { referrerId: referrer, campaignId: 'camp', invitee: { id: invitee }, channel: 'email', at: iso(400), idempotencyKey: key('i') } });
      await ok(api, SIGNUP, { input: { customerId: invitee, at: iso(399), idempotencyKey: key('s') } });
    }
    for (const [name, buys] of Object.entries(PURCHASES)) {
      for (const [i, buy] of buys.entries()) {
        await ok(api, PURCHASE, {
          input: { customerId: name, productId: buy.product, orderId: `${name}-${i}`, amount: buy.amount, currency: buy.currency ?? 'EUR', at: iso(buy.daysAgo), idempotencyKey: key('p') },
        });
      }
    }
    // b's ties: c and d still buy, f last bought 100 days ago (not within 90), e became LOST 20 days ago.
    for (const [other, strength] of [['c', 0.9], ['f', 0.5], ['e', 0.3], ['d', 0.1]] as const) {
      await ok(api, CONNECT, { input: { customerId: 'b', otherId: other, strength, idempotencyKey: key('k') } });
    }
  });
  afterAll(() => api.close());

  test('customerValue gives each buyer the facts, ABC tier, RFM quintiles and lifecycle the rules define', async () => {
    const tier = tiers();
    for (const name of BUYERS) {
      const f = factsOf(name);
      const { customerValue } = await answer(CUSTOMER_VALUE, { id: name });
      expect(customerValue).toEqual({
        customer: { id: name },
        purchases: f.purchases,
        revenue: f.revenue,
        currency: 'EUR',
        distinctProducts: f.products,
        lastPurchaseAt: new Date(f.last).toISOString(),
        medianIntervalDays: f.medianGap === null ? null : f.medianGap / DAY,
        tier: tier[name],
        lifecycle: lifecycleOf(name),
        rfm: {
          recency: quintile((n) => factsOf(n).last, name),
          frequency: quintile((n) => factsOf(n).purchases, name),
          monetary: quintile((n) => factsOf(n).revenue, name),
        },
        asOf,
        cutoffsAsOf: expect.any(String),
      });
    }
  });

  test('the table covers every lifecycle class and every tier', () => {
    expect(new Set(BUYERS.map(lifecycleOf))).toEqual(new Set(['NEW', 'GROWING', 'MATURE', 'DECLINING', 'LOST']));
    expect(new Set(Object.values(tiers()))).toEqual(new Set(['A', 'B', 'C']));
  });

  test('a customer who never bought has no tier, scores or lifecycle', async () => {
    const { customerValue } = await answer(CUSTOMER_VALUE, { id: NON_BUYER });
    expect(customerValue).toMatchObject({ purchases: 0, revenue: 0, tier: null, rfm: null, lifecycle: null, lastPurchaseAt: null });
  });

  test('a purchase in a currency without a rate is refused naming money.rates, never added as it is', async () => {
    const body = await api.gql('marketer', CUSTOMER_VALUE, { id: 'd', asOf });
    expect(failure(body)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'money.rates' });
    expect(failure(body).message).toContain('USD');
    const segments = await api.gql('marketer', SEGMENTS, { asOf });
    expect(failure(segments)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'money.rates' });
  });

  test('rules and rates out of range are BAD_USER_INPUT naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ rules: { abcA: 0.9, abcB: 0.8 } }, 'rules.abcB'],
      [{ rules: { lostAfterDays: 0 } }, 'rules.lostAfterDays'],
      [{ rules: { newWithinDays: 200 } }, 'rules.newWithinDays'],
      [{ money: { baseCurrency: 'euro' } }, 'money.baseCurrency'],
      [{ money: { baseCurrency: 'EUR', rates: [{ currency: 'USD', rate: -1 }] } }, 'money.rates[0].rate'],
      [{ money: { baseCurrency: 'EUR', rates: [{ currency: 'EUR', rate: 1 }] } }, 'money.rates[0].currency'],
    ];
    for (const [variables, field] of cases) {
      expect(failure(await ask(CUSTOMER_VALUE, { id: 'a', ...variables }))).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(failure(await ask(CUSTOMER_VALUE, { id: 'nobody' }))).toMatchObject({ code: 'NOT_FOUND', field: 'customerId' });
    expect(failure(await ask(CHURN, { filter: { limit: 0 } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.limit' });
    expect(failure(await ask(CHURN, { filter: { tier: 'C' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.tier' });
    expect(failure(await ask(SEGMENTS, { first: 0 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  test('marketer, community and admin may ask; the service role may not, and marketers still never see emails', async () => {
    for (const role of ['community', 'admin'] as const) expect((await ask(CUSTOMER_VALUE, { id: 'a' }, role)).errors).toBeUndefined();
    expect(failure(await ask(CUSTOMER_VALUE, { id: 'a' }, 'service')).code).toBe('FORBIDDEN');
    const body = await ask(`query($asOf: DateTime, $money: MoneyInput) { customerValue(customerId: "a", asOf: $asOf, money: $money) { customer { email } } }`, {});
    expect(failure(body).code).toBe('FORBIDDEN');
  });

  test('customerSegments lists buyers by revenue, filters by tier, lifecycle and campaign, and pages by cursor', async () => {
    const byRevenue = [...BUYERS].sort((x, y) => factsOf(y).revenue - factsOf(x).revenue || (x < y ? -1 : 1));
    const all = (await answer(SEGMENTS, { first: 100 })).customerSegments;
    expect(all.totalCount).toBe(BUYERS.length);
    expect(all.edges.map((edge: { node: { customer: { id: string } } }) => edge.node.customer.id)).toEqual(byRevenue);

    const tier = tiers();
    const ids = async (filter: Record<string, unknown>) =>
      (await answer(SEGMENTS, { filter, first: 100 })).customerSegments.edges.map((edge: { node: { customer: { id: string } } }) => edge.node.customer.id);
    expect(await ids({ tier: 'A' })).toEqual(byRevenue.filter((name) => tier[name] === 'A'));
    expect(await ids({ lifecycle: 'DECLINING' })).toEqual(byRevenue.filter((name) => lifecycleOf(name) === 'DECLINING'));
    expect(await ids({ campaignId: 'camp' })).toEqual(byRevenue.filter((name) => name === 'b' || name === 'c'));
    expect(await ids({ campaignId: 'no-such-campaign' })).toEqual([]);

    const pages: string[] = [];
    let after: string | null = null;
    do {
      const page: { edges: Array<{ node: { customer: { id: string } } }>; pageInfo: { hasNextPage: boolean; endCursor: string } } = (
        await answer(SEGMENTS, { first: 3, after })
      ).customerSegments;
      pages.push(...page.edges.map((edge) => edge.node.customer.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(pages).toEqual(byRevenue);
  });

  test('churnRisks lists declining A and B customers by value at risk, with their win-back route and churn contagion', async () => {
    const tier = tiers();
    const expected = BUYERS.filter((name) => lifecycleOf(name) === 'DECLINING' && tier[name] !== 'C');
    expect(expected).toEqual(['b']);
    const f = factsOf('b');
    const { churnRisks } = await answer(CHURN);
    expect(churnRisks).toEqual([
      {
        customer: { id: 'b' },
        // Average purchase × purchases a year at the median interval.
        valueAtRisk: cents((f.revenue / f.purchases) * (365 / (f.medianGap! / DAY))),
        // The referrer a still buys (50 days ago), then the ties who still buy, strongest first: c, then d.
        winBackRoute: [{ id: 'a' }, { id: 'c' }, { id: 'd' }],
        referrerOnRoute: true,
        // c, d, e and f bought; e's 180 days passed 20 days ago, within the last 90.
        buyingConnections: 4,
        recentlyLostConnections: 1,
        contagionShare: 0.25,
        value: { tier: tier.b, lifecycle: 'DECLINING' },
      },
    ]);
  });

  test('the rules are configurable per request: thresholds move customers between lifecycle classes', async () => {
    const lifecycle = async (id: string, rules: Record<string, unknown>) => (await answer(CUSTOMER_VALUE, { id, rules })).customerValue.lifecycle;
    // b last bought 110 days ago: LOST when 100 days without a purchase is enough.
    expect(await lifecycle('b', { lostAfterDays: 100 })).toBe('LOST');
    // g's usual interval is 5 days and it last bought 95 days ago: not DECLINING when 30 × 5 days are allowed.
    expect(await lifecycle('g', { declineFactor: 30 })).toBe('MATURE');
    // d's first purchase was 20 days ago: not NEW when only the last 10 days count, and 2 purchases in the window is GROWING.
    expect(await lifecycle('d', { newWithinDays: 10 })).toBe('GROWING');
  });

  test('purchaseBehaviour gives repeat, cross-sell and upsell figures overall, referred vs organic and per generation', async () => {
    const rates = (names: string[]) => ({
      buyers: names.length,
      repeatBuyers: names.filter((name) => factsOf(name).purchases >= 2).length,
      crossSellBuyers: names.filter((name) => factsOf(name).products >= 2).length,
      upsellBuyers: names.filter((name) => factsOf(name).upsell).length,
    });
    const share = (count: number) => Math.round((count / BUYERS.length) * 1e6) / 1e6;
    const overall = rates(BUYERS);
    const { purchaseBehaviour } = await answer(BEHAVIOUR);
    expect(purchaseBehaviour).toEqual({
      currency: 'EUR',
      overall: {
        ...overall,
        repeatPurchaseRate: share(overall.repeatBuyers),
        crossSellRate: share(overall.crossSellBuyers),
        upsellRate: share(overall.upsellBuyers),
        revenue: cents(BUYERS.reduce((sum, name) => sum + factsOf(name).revenue, 0)),
      },
      referred: rates(['b', 'c']),
      organic: rates(BUYERS.filter((name) => name !== 'b' && name !== 'c')),
      byCampaign: [{ campaign: { id: 'camp' }, rates: { buyers: 2, repeatBuyers: 2 } }],
      byGeneration: [
        { generation: 1, rates: rates(['b']) },
        { generation: 2, rates: rates(['c']) },
      ],
    });
  });

  test("customerValue reads the caller's own purchase at once, while the tier cut-offs stay those of the snapshot", async () => {
    const before = (await answer(CUSTOMER_VALUE, { id: 'f' })).customerValue;
    await ok(api, PURCHASE, { input: { customerId: 'f', productId: 'p2', orderId: 'f-late', amount: 10, currency: 'EUR', at: iso(1), idempotencyKey: key('p') } });
    const after = (await answer(CUSTOMER_VALUE, { id: 'f' })).customerValue;
    expect(after).toMatchObject({ purchases: 2, revenue: cents(factsOf('f').revenue + 10), lastPurchaseAt: iso(1), distinctProducts: 2, medianIntervalDays: 99 });
    expect(after.cutoffsAsOf).toBe(before.cutoffsAsOf);
  });
});
