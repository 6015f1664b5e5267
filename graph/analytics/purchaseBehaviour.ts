import { cypher, Graph } from '../neo4j';
import { canonicalMoney, Money, requireRates } from '../valueRules';
import { VALUE_FACTS } from './value';

// Repeat-purchase, cross-sell and upsell rates of buyers, overall, referred vs organic, per campaign and per
// referral generation. A whole-graph computation served as a snapshot (server/wholeGraphSnapshots.ts).

export interface PurchaseRatesRecord {
  buyers: number;
  repeatBuyers: number;
  crossSellBuyers: number;
  upsellBuyers: number;
  repeatPurchaseRate: number;
  crossSellRate: number;
  upsellRate: number;
  revenue: number;
  revenuePerBuyer: number;
}

export interface PurchaseBehaviourRecord {
  asOf: number;
  currency: string;
  overall: PurchaseRatesRecord;
  referred: PurchaseRatesRecord;
  organic: PurchaseRatesRecord;
  byCampaign: Array<{ campaignId: string; rates: PurchaseRatesRecord }>;
  byGeneration: Array<{ generation: number; rates: PurchaseRatesRecord }>;
}

interface GroupRow {
  campaign: string | null;
  /** 0 for organic buyers. */
  generation: number;
  buyers: number;
  repeatBuyers: number;
  crossSellBuyers: number;
  upsellBuyers: number;
  revenue: number;
  missing: string[][];
}

// A buyer's campaign and generation are those of the referral credited with their sign-up (one per invitee):
// generation = the credited referrals above them, 1 for a root advocate's referee. No credited referral: organic.
// Rows are per (campaign, generation); the groups of the answer are sums of them.
const GROUPS = cypher<GroupRow>(
  'value.purchaseBehaviour',
  `MATCH (c:Customer) WHERE EXISTS { (c)-[p:PURCHASED]->() WHERE p.at <= $asOf }
   OPTIONAL MATCH (:Customer)-[credit:REFERRED]->(c) WHERE credit.signedUpAt IS NOT NULL
   WITH c, credit.campaign AS campaign,
        CASE WHEN credit IS NULL THEN 0
             ELSE COUNT { (c) (()<-[up:REFERRED WHERE up.signedUpAt IS NOT NULL]-()){1,1000} (:Customer) } END AS generation
   ${VALUE_FACTS('c')}
   RETURN campaign, generation,
          count(c) AS buyers,
          count(CASE WHEN facts.purchases >= 2 THEN 1 END) AS repeatBuyers,
          count(CASE WHEN facts.distinctProducts >= 2 THEN 1 END) AS crossSellBuyers,
          count(CASE WHEN facts.upsell THEN 1 END) AS upsellBuyers,
          sum(facts.revenue) AS revenue,
          collect(CASE WHEN size(facts.missing) > 0 THEN facts.missing END)[..10] AS missing`,
);

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

export function toRates(rows: readonly GroupRow[]): PurchaseRatesRecord {
  const sum = (pick: (row: GroupRow) => number) => rows.reduce((total, row) => total + pick(row), 0);
  const buyers = sum((row) => row.buyers);
  const share = (count: number) => (buyers === 0 ? 0 : round(count / buyers, 6));
  const repeatBuyers = sum((row) => row.repeatBuyers);
  const crossSellBuyers = sum((row) => row.crossSellBuyers);
  const upsellBuyers = sum((row) => row.upsellBuyers);
  const revenue = round(sum((row) => row.revenue), 2);
  return {
    buyers,
    repeatBuyers,
    crossSellBuyers,
    upsellBuyers,
    repeatPurchaseRate: share(repeatBuyers),
    crossSellRate: share(crossSellBuyers),
    upsellRate: share(upsellBuyers),
    revenue,
    revenuePerBuyer: buyers === 0 ? 0 : round(revenue / buyers, 2),
  };
}

export interface PurchaseBehaviourArgs {
  asOf: number | null;
  money: Money;
}

export const purchaseBehaviourQuestionArgs = (args: PurchaseBehaviourArgs) => ({ asOf: args.asOf, money: canonicalMoney(args.money) });

export async function purchaseBehaviour(graph: Graph, args: PurchaseBehaviourArgs, now: number): Promise<PurchaseBehaviourRecord> {
  const asOf = args.asOf ?? now;
  // VALUE_FACTS also computes the lifecycle's windows; the growth window does not matter here.
  const rows = await graph.read(GROUPS, { asOf, rates: args.money.rates, growthMs: 0 });
  requireRates(args.money, rows.flatMap((row) => row.missing.flat()));
  const referredRows = rows.filter((row) => row.generation > 0);
  const campaigns = [...new Set(referredRows.map((row) => row.campaign).filter((campaign): campaign is string => campaign !== null))].sort();
  const generations = [...new Set(referredRows.map((row) => row.generation))].sort((x, y) => x - y);
  return {
    asOf,
    currency: args.money.base,
    overall: toRates(rows),
    referred: toRates(referredRows),
    organic: toRates(rows.filter((row) => row.generation === 0)),
    byCampaign: campaigns.map((campaignId) => ({ campaignId, rates: toRates(referredRows.filter((row) => row.campaign === campaignId)) })),
    byGeneration: generations.map((generation) => ({ generation, rates: toRates(referredRows.filter((row) => row.generation === generation)) })),
  };
}
