import type { Lifecycle, ValueTier } from '../../schema/generated/types';
import { requireCustomersIn } from '../customers';
import { DAY_MS } from '../model';
import { cypher, Graph } from '../neo4j';
import { checkId } from '../validate';
import { abcCutoffs, canonicalMoney, Money, quintileCutoffs, quintileScore, requireRates, ValueRules } from '../valueRules';

// Customer value and lifecycle: the facts of a customer's purchases up to asOf, and the segments derived from them.
// The facts and the lifecycle are computed by one Cypher fragment (VALUE_FACTS, LIFECYCLE) wherever they are needed,
// so the rule exists once. The ABC and RFM cut-offs are whole-graph: computed by `valueCutoffs` as a snapshot
// (server/wholeGraphSnapshots.ts) and applied to each customer's own facts.

/** What a customer's purchases up to asOf say, amounts converted into the base currency. */
export interface ValueFacts {
  purchases: number;
  revenue: number;
  distinctProducts: number;
  firstAt: number | null;
  lastAt: number | null;
  /** Median milliseconds between consecutive purchases (interpolated); null with fewer than two. */
  medianGap: number | null;
  /** Purchases in the last growth window, and in the one before it. */
  recent: number;
  previous: number;
  /** A later purchase of a higher converted amount than the first. */
  upsell: boolean;
  /** Currencies of purchases with no rate: the answer is refused while any is left. */
  missing: string[];
}

/**
 * The facts of customer `c`, as `facts`. Purchases are ordered by time (then order id), so gaps are between
 * consecutive purchases; an amount in a currency without a rate counts 0 here and is reported in `missing`,
 * which every caller turns into an error (requireRates) before answering.
 */
export const VALUE_FACTS = (c: string) => `
  CALL (${c}) {
    OPTIONAL MATCH (${c})-[p:PURCHASED]->(product:Product) WHERE p.at <= $asOf
    WITH p, product ORDER BY p.at, p.orderId
    WITH collect(p.at) AS times,
         collect(CASE WHEN p IS NOT NULL THEN coalesce(p.amount * $rates[p.currency], 0.0) END) AS amounts,
         count(DISTINCT product) AS distinctProducts,
         collect(DISTINCT CASE WHEN p IS NOT NULL AND (p.currency IS NULL OR $rates[p.currency] IS NULL) THEN coalesce(p.currency, 'none') END) AS missing
    WITH times, amounts, distinctProducts, missing, [i IN range(1, size(times) - 1) | times[i] - times[i - 1]] AS gaps
    WITH times, amounts, distinctProducts, missing, COLLECT { UNWIND gaps AS gap RETURN gap ORDER BY gap } AS sortedGaps
    RETURN {
      purchases: size(times),
      revenue: round(reduce(total = 0.0, amount IN amounts | total + amount), 2),
      distinctProducts: distinctProducts,
      firstAt: head(times),
      lastAt: last(times),
      medianGap: CASE WHEN size(sortedGaps) = 0 THEN null
                      ELSE (sortedGaps[(size(sortedGaps) - 1) / 2] + sortedGaps[size(sortedGaps) / 2]) / 2.0 END,
      recent: size([t IN times WHERE t > $asOf - $growthMs]),
      previous: size([t IN times WHERE t > $asOf - 2 * $growthMs AND t <= $asOf - $growthMs]),
      upsell: any(amount IN tail(amounts) WHERE amount > head(amounts)),
      missing: missing
    } AS facts
  }`;

/** The lifecycle rule of the SDL's `Lifecycle`, over `facts`; the first rule that holds wins. */
export const LIFECYCLE = (facts: string) => `
  CASE
    WHEN ${facts}.purchases = 0 THEN null
    WHEN $asOf - ${facts}.lastAt > $lostAfterMs THEN 'LOST'
    WHEN $asOf - ${facts}.firstAt <= $newWithinMs THEN 'NEW'
    WHEN ${facts}.medianGap IS NOT NULL AND $asOf - ${facts}.lastAt > $declineFactor * ${facts}.medianGap THEN 'DECLINING'
    WHEN ${facts}.recent >= 2 AND ${facts}.recent > ${facts}.previous THEN 'GROWING'
    ELSE 'MATURE'
  END`;

/** The ABC tier from the snapshot's revenue cut-offs ($tierA, $tierB: null when nobody had revenue); tierOf in graph/valueRules.ts is the same rule. */
export const TIER = (facts: string) => `
  CASE
    WHEN ${facts}.purchases = 0 THEN null
    WHEN $tierA IS NOT NULL AND ${facts}.revenue > 0 AND ${facts}.revenue >= $tierA THEN 'A'
    WHEN $tierB IS NOT NULL AND ${facts}.revenue > 0 AND ${facts}.revenue >= $tierB THEN 'B'
    ELSE 'C'
  END`;

/** The whole-graph figures a customer's tier and RFM scores are read against. */
export interface ValueCutoffs {
  /** The moment the rules were applied at. */
  asOf: number;
  buyers: number;
  tierA: number | null;
  tierB: number | null;
  recency: number[];
  frequency: number[];
  monetary: number[];
}

export interface ValueQuestionArgs {
  asOf: number | null;
  money: Money;
  abcA: number;
  abcB: number;
}

const CUTOFF_FACTS = cypher<{ revenues: number[]; frequencies: number[]; recencies: number[]; missing: string[] }>(
  'value.cutoffFacts',
  `MATCH (c:Customer) WHERE EXISTS { (c)-[p:PURCHASED]->() WHERE p.at <= $asOf }
   CALL (c) {
     MATCH (c)-[p:PURCHASED]->() WHERE p.at <= $asOf
     RETURN round(sum(p.amount * coalesce($rates[p.currency], 0.0)), 2) AS revenue, count(p) AS purchases, max(p.at) AS lastAt,
            collect(DISTINCT CASE WHEN p.currency IS NULL OR $rates[p.currency] IS NULL THEN coalesce(p.currency, 'none') END) AS missing
   }
   RETURN collect(revenue) AS revenues, collect(purchases) AS frequencies, collect(lastAt) AS recencies,
          reduce(acc = [], m IN collect(CASE WHEN size(missing) > 0 THEN missing END)[..10] | acc + m) AS missing`,
);

/** The ABC revenue cut-offs and RFM quintile cut-offs over every buyer up to asOf (a whole-graph computation). */
export async function valueCutoffs(graph: Graph, args: ValueQuestionArgs, now: number): Promise<ValueCutoffs> {
  const asOf = args.asOf ?? now;
  const [row] = await graph.read(CUTOFF_FACTS, { asOf, rates: args.money.rates });
  requireRates(args.money, row.missing);
  return cutoffsFrom(asOf, row.revenues, row.frequencies, row.recencies, args.abcA, args.abcB);
}

/** ABC revenue cut-offs and RFM quintile cut-offs from every buyer's revenue, purchase count and last purchase. */
export function cutoffsFrom(asOf: number, revenues: number[], frequencies: number[], recencies: number[], abcA: number, abcB: number): ValueCutoffs {
  const abc = abcCutoffs(revenues, abcA, abcB);
  return {
    asOf,
    buyers: revenues.length,
    tierA: abc.a,
    tierB: abc.b,
    recency: quintileCutoffs(recencies),
    frequency: quintileCutoffs(frequencies),
    monetary: quintileCutoffs(revenues),
  };
}

/** The snapshot arguments of a value question: equal choices share one snapshot. */
export const valueQuestionArgs = (args: ValueQuestionArgs) => ({ asOf: args.asOf, money: canonicalMoney(args.money), abc: [args.abcA, args.abcB] });

/** A customer's value and segments, as `CustomerValue` answers them. */
export interface CustomerValueRecord {
  customerId: string;
  asOf: number;
  cutoffsAsOf: number;
  currency: string;
  purchases: number;
  revenue: number;
  distinctProducts: number;
  firstPurchaseAt: number | null;
  lastPurchaseAt: number | null;
  daysSinceLastPurchase: number | null;
  medianIntervalDays: number | null;
  purchasesInLastWindow: number;
  purchasesInPreviousWindow: number;
  tier: ValueTier | null;
  rfm: { recency: number; frequency: number; monetary: number } | null;
  lifecycle: Lifecycle | null;
}

export interface ValueRow {
  customerId: string;
  facts: ValueFacts;
  tier: ValueTier | null;
  lifecycle: Lifecycle | null;
}

/** Everything a value query needs besides its own arguments. */
export interface ValueContext {
  asOf: number;
  rules: ValueRules;
  money: Money;
  cutoffs: ValueCutoffs;
  cutoffsAsOf: number;
}

export const valueParams = (context: ValueContext) => ({
  asOf: context.asOf,
  rates: context.money.rates,
  growthMs: context.rules.growthWindowDays * DAY_MS,
  lostAfterMs: context.rules.lostAfterDays * DAY_MS,
  newWithinMs: context.rules.newWithinDays * DAY_MS,
  declineFactor: context.rules.declineFactor,
  tierA: context.cutoffs.tierA,
  tierB: context.cutoffs.tierB,
});

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

export function toCustomerValue(row: ValueRow, context: ValueContext): CustomerValueRecord {
  const { facts } = row;
  const bought = facts.purchases > 0;
  const { cutoffs } = context;
  return {
    customerId: row.customerId,
    asOf: context.asOf,
    cutoffsAsOf: context.cutoffsAsOf,
    currency: context.money.base,
    purchases: facts.purchases,
    revenue: facts.revenue,
    distinctProducts: facts.distinctProducts,
    firstPurchaseAt: facts.firstAt,
    lastPurchaseAt: facts.lastAt,
    daysSinceLastPurchase: facts.lastAt === null ? null : round((context.asOf - facts.lastAt) / DAY_MS, 3),
    medianIntervalDays: facts.medianGap === null ? null : round(facts.medianGap / DAY_MS, 3),
    purchasesInLastWindow: facts.recent,
    purchasesInPreviousWindow: facts.previous,
    tier: row.tier,
    rfm: bought
      ? {
          recency: quintileScore(facts.lastAt!, cutoffs.recency),
          frequency: quintileScore(facts.purchases, cutoffs.frequency),
          monetary: quintileScore(facts.revenue, cutoffs.monetary),
        }
      : null,
    lifecycle: row.lifecycle,
  };
}

const CUSTOMER_VALUES = cypher<ValueRow>(
  'value.customers',
  `UNWIND $ids AS id
   MATCH (c:Customer {id: id})
   ${VALUE_FACTS('c')}
   RETURN c.id AS customerId, facts, ${TIER('facts')} AS tier, ${LIFECYCLE('facts')} AS lifecycle`,
);

/** The value rows of these customers, in the order of `ids` (ids not found are left out). */
export async function valueRows(graph: Graph, ids: readonly string[], context: ValueContext): Promise<ValueRow[]> {
  const rows = await graph.read(CUSTOMER_VALUES, { ids, ...valueParams(context) });
  const byId = new Map(rows.map((row) => [row.customerId, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export async function customerValue(graph: Graph, customerId: string, context: ValueContext): Promise<CustomerValueRecord> {
  checkId('customerId', customerId);
  await requireCustomersIn(graph, { customerId });
  const [row] = await valueRows(graph, [customerId], context);
  requireRates(context.money, row.facts.missing);
  return toCustomerValue(row, context);
}
