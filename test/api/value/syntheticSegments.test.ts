import { loadSyntheticGraph } from '../../../graph/bulkLoad';
import { generateSyntheticGraph } from '../../../graph/synthetic';
import { SYNTHETIC_HISTORY_END } from '../../../graph/syntheticHistories';
import { startExclusiveTestApi } from '../../support/exclusive';
import type { TestApi } from '../../support/services';

// The seeded synthetic network with purchase histories, on an exclusive Neo4j: every buyer's lifecycle and ABC tier
// as customerSegments lists them, against the rules applied here to the generated purchases, and the overall
// purchase rates likewise. Hundreds of varied histories, where the hand-built test has seven.

const DAY = 86_400_000;
const AS_OF = SYNTHETIC_HISTORY_END;
const data = generateSyntheticGraph(1_500, 3, { purchaseHistories: true });

interface Expected {
  revenue: number;
  lifecycle: string;
  purchases: number;
  products: number;
  upsell: boolean;
}

function expectedByCustomer(): Map<string, Expected> {
  const byCustomer = new Map<string, typeof data.purchases>();
  for (const p of data.purchases) if (p.at <= AS_OF) byCustomer.set(p.customerId, [...(byCustomer.get(p.customerId) ?? []), p]);
  const expected = new Map<string, Expected>();
  for (const [id, buys] of byCustomer) {
    const sorted = [...buys].sort((x, y) => x.at - y.at || (x.orderId < y.orderId ? -1 : 1));
    const times = sorted.map((p) => p.at);
    const gaps = times.slice(1).map((t, i) => t - times[i]).sort((x, y) => x - y);
    const median = gaps.length === 0 ? null : (gaps[Math.floor((gaps.length - 1) / 2)] + gaps[Math.ceil((gaps.length - 1) / 2)]) / 2;
    const first = times[0];
    const last = times[times.length - 1];
    const recent = times.filter((t) => t > AS_OF - 90 * DAY).length;
    const previous = times.filter((t) => t > AS_OF - 180 * DAY && t <= AS_OF - 90 * DAY).length;
    const lifecycle =
      AS_OF - last > 180 * DAY ? 'LOST'
      : AS_OF - first <= 30 * DAY ? 'NEW'
      : median !== null && AS_OF - last > 3 * median ? 'DECLINING'
      : recent >= 2 && recent > previous ? 'GROWING'
      : 'MATURE';
    expected.set(id, {
      revenue: Math.round(sorted.reduce((sum, p) => sum + p.amount, 0) * 100) / 100,
      lifecycle,
      purchases: sorted.length,
      products: new Set(sorted.map((p) => p.productId)).size,
      upsell: sorted.slice(1).some((p) => p.amount > sorted[0].amount),
    });
  }
  return expected;
}

/** ABC from revenue: A while the revenue before a customer (largest first) is below 80% of all, B below 95%. */
function tiersOf(expected: Map<string, Expected>): Map<string, string> {
  const sorted = [...expected].sort((x, y) => y[1].revenue - x[1].revenue);
  const total = sorted.reduce((sum, [, e]) => sum + e.revenue, 0);
  const tiers = new Map<string, string>();
  let before = 0;
  for (const [id, e] of sorted) {
    tiers.set(id, before < 0.8 * total ? 'A' : before < 0.95 * total ? 'B' : 'C');
    before += e.revenue;
  }
  return tiers;
}

const SEGMENTS = `query($asOf: DateTime, $after: String) {
  customerSegments(asOf: $asOf, first: 100, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { customer { id } revenue purchases tier lifecycle } }
  }
}`;

describe('customer segments of the seeded synthetic network with purchase histories', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startExclusiveTestApi();
    await loadSyntheticGraph(api.graph, data);
  });
  afterAll(() => api.close());

  test("every buyer's revenue, lifecycle and tier are those the rules give for the generated purchases", async () => {
    const expected = expectedByCustomer();
    const tiers = tiersOf(expected);
    const listed = new Map<string, { revenue: number; purchases: number; tier: string; lifecycle: string }>();
    let after: string | null = null;
    for (;;) {
      const body = await api.gql('marketer', SEGMENTS, { asOf: new Date(AS_OF).toISOString(), after });
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      const page = body.data!.customerSegments;
      expect(page.totalCount).toBe(expected.size);
      for (const { node } of page.edges) listed.set(node.customer.id, node);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(listed.size).toBe(expected.size);
    const mismatches = [...expected].filter(([id, e]) => {
      const got = listed.get(id)!;
      return got.revenue !== e.revenue || got.purchases !== e.purchases || got.lifecycle !== e.lifecycle || got.tier !== tiers.get(id);
    });
    expect(mismatches).toEqual([]);
    // The histories give the lists something to find: every class but NEW (the network stops growing before the end).
    expect(new Set([...expected.values()].map((e) => e.lifecycle))).toEqual(new Set(['GROWING', 'MATURE', 'DECLINING', 'LOST']));
  });

  test('the overall repeat, cross-sell and upsell figures count the generated purchases', async () => {
    const expected = [...expectedByCustomer().values()];
    const body = await api.gql('marketer', 'query($asOf: DateTime) { purchaseBehaviour(asOf: $asOf) { overall { buyers repeatBuyers crossSellBuyers upsellBuyers } } }', {
      asOf: new Date(AS_OF).toISOString(),
    });
    expect(body.errors).toBeUndefined();
    expect(body.data!.purchaseBehaviour.overall).toEqual({
      buyers: expected.length,
      repeatBuyers: expected.filter((e) => e.purchases >= 2).length,
      crossSellBuyers: expected.filter((e) => e.products >= 2).length,
      upsellBuyers: expected.filter((e) => e.upsell).length,
    });
  });
});
