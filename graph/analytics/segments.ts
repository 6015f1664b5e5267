import type { Lifecycle, ValueTier } from '../../schema/generated/types';
import { Page } from '../model';
import { cypher, Graph } from '../neo4j';
import { encodeCursor, pageRequest, PageRequest, SortKey } from '../pagination';
import { canonicalMoney, Money, requireRates, tierOf, ValueRules, valueAtRisk } from '../valueRules';
import { CustomerValueRecord, cutoffsFrom, LIFECYCLE, toCustomerValue, ValueContext, ValueCutoffs, valueRows, VALUE_FACTS } from './value';

// The segment table: every buyer's revenue, tier, lifecycle and campaign as of one moment, sorted by revenue. A
// whole-graph computation (a few seconds per 100,000 buyers), so `customerSegments` and `churnRisks` are served from
// it as a snapshot (server/wholeGraphSnapshots.ts) instead of classifying every buyer per request; the customers of a
// page are then read in full, as of the same moment. Columnar and compact: it is stored in Redis whole.

const LIFECYCLE_CODES: Record<Lifecycle, string> = { NEW: 'N', GROWING: 'G', MATURE: 'M', DECLINING: 'D', LOST: 'L' };

export interface SegmentTable {
  /** The moment the rules were applied at. */
  asOf: number;
  cutoffs: ValueCutoffs;
  /** Buyers by revenue, largest first, then by id; the other columns follow this order. */
  ids: string[];
  revenues: number[];
  /** One letter per buyer: A, B or C. */
  tiers: string;
  /** One letter per buyer: the first letter of their lifecycle class. */
  lifecycles: string;
  /** Index into `campaignIds` of the campaign of the buyer's credited referral; -1 for organic buyers. */
  campaigns: number[];
  campaignIds: string[];
  /** Declining A and B buyers as [index, value at risk], largest risk first, then by id. */
  risks: Array<[number, number]>;
}

// The campaign is that of the referral credited with the buyer's sign-up (one per invitee: a constraint).
const SEGMENT_ROWS = cypher<{
  id: string;
  campaign: string | null;
  revenue: number;
  purchases: number;
  lastAt: number;
  medianGap: number | null;
  lifecycle: Lifecycle;
  missing: string[];
}>(
  'value.segmentTable',
  `MATCH (c:Customer) WHERE EXISTS { (c)-[p:PURCHASED]->() WHERE p.at <= $asOf }
   OPTIONAL MATCH (:Customer)-[credit:REFERRED]->(c) WHERE credit.signedUpAt IS NOT NULL
   WITH c, credit.campaign AS campaign
   ${VALUE_FACTS('c')}
   RETURN c.id AS id, campaign, facts.revenue AS revenue, facts.purchases AS purchases, facts.lastAt AS lastAt,
          facts.medianGap AS medianGap, ${LIFECYCLE('facts')} AS lifecycle, facts.missing AS missing`,
);

export interface SegmentQuestionArgs {
  asOf: number | null;
  money: Money;
  rules: ValueRules;
}

export const segmentQuestionArgs = (args: SegmentQuestionArgs) => ({
  asOf: args.asOf,
  money: canonicalMoney(args.money),
  rules: Object.keys(args.rules).sort().map((name) => [name, args.rules[name as keyof ValueRules]] as const),
});

export async function segmentTable(graph: Graph, args: SegmentQuestionArgs, now: number): Promise<SegmentTable> {
  const asOf = args.asOf ?? now;
  const { rules } = args;
  const rows = await graph.read(SEGMENT_ROWS, {
    asOf,
    rates: args.money.rates,
    growthMs: rules.growthWindowDays * 86_400_000,
    lostAfterMs: rules.lostAfterDays * 86_400_000,
    newWithinMs: rules.newWithinDays * 86_400_000,
    declineFactor: rules.declineFactor,
  });
  requireRates(args.money, rows.flatMap((row) => row.missing));
  const cutoffs = cutoffsFrom(asOf, rows.map((row) => row.revenue), rows.map((row) => row.purchases), rows.map((row) => row.lastAt), rules.abcA, rules.abcB);
  rows.sort((x, y) => y.revenue - x.revenue || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const campaignIds = [...new Set(rows.flatMap((row) => (row.campaign === null ? [] : [row.campaign])))].sort();
  const campaignIndex = new Map(campaignIds.map((id, index) => [id, index]));
  const tiers = rows.map((row) => tierOf(row.revenue, { a: cutoffs.tierA, b: cutoffs.tierB }));
  const risks = rows
    .flatMap((row, index): Array<[number, number]> =>
      row.lifecycle === 'DECLINING' && tiers[index] !== 'C' ? [[index, valueAtRisk(row.revenue, row.purchases, row.medianGap ?? 0)]] : [],
    )
    .sort((x, y) => y[1] - x[1] || (rows[x[0]].id < rows[y[0]].id ? -1 : 1));
  return {
    asOf,
    cutoffs,
    ids: rows.map((row) => row.id),
    revenues: rows.map((row) => row.revenue),
    tiers: tiers.join(''),
    lifecycles: rows.map((row) => LIFECYCLE_CODES[row.lifecycle]).join(''),
    campaigns: rows.map((row) => (row.campaign === null ? -1 : campaignIndex.get(row.campaign)!)),
    campaignIds,
    risks,
  };
}

/** The table's buyers who pass the filter, as indexes in its order. */
export function segmentIndexes(table: SegmentTable, filter: SegmentFilter, among: readonly number[] = table.ids.map((_, index) => index)): number[] {
  const campaign = filter.campaignId === null ? null : table.campaignIds.indexOf(filter.campaignId);
  if (campaign === -1) return [];
  const lifecycle = filter.lifecycle === null ? null : LIFECYCLE_CODES[filter.lifecycle];
  return among.filter(
    (index) =>
      (filter.tier === null || table.tiers[index] === filter.tier) &&
      (lifecycle === null || table.lifecycles[index] === lifecycle) &&
      (campaign === null || table.campaigns[index] === campaign),
  );
}

export interface SegmentFilter {
  tier: ValueTier | null;
  lifecycle: Lifecycle | null;
  campaignId: string | null;
}

const SEGMENT_KEYS: readonly SortKey[] = [
  { expression: 'revenue', direction: 'DESC', type: 'number' },
  { expression: 'customerId', direction: 'ASC', type: 'string' },
];

export const segmentPageRequest = (first: number | null | undefined, after: string | null | undefined) => pageRequest('customerSegments', SEGMENT_KEYS, first, after);

/** The context the customers of a table's page are read in: as of the table's moment, with its cut-offs. */
export const tableContext = (table: SegmentTable, rules: ValueRules, money: Money): ValueContext => ({
  asOf: table.asOf,
  rules,
  money,
  cutoffs: table.cutoffs,
  cutoffsAsOf: table.asOf,
});

/**
 * One page of the buyers who pass the filter, by revenue (largest first, then id), starting strictly after the
 * cursor's (revenue, id). Membership and order are the table's; each customer on the page is read in full as of the
 * table's moment, so the facts shown are those the segments were computed from (writes dated before it since the
 * computation aside).
 */
export async function customerSegments(graph: Graph, table: SegmentTable, filter: SegmentFilter, request: PageRequest, context: ValueContext): Promise<Page<CustomerValueRecord>> {
  const matching = segmentIndexes(table, filter);
  const after = request.after as [number, string] | null;
  const start = after === null ? 0 : matching.findIndex((index) => table.revenues[index] < after[0] || (table.revenues[index] === after[0] && table.ids[index] > after[1]));
  const shown = start === -1 ? [] : matching.slice(start, start + request.limit);
  const hasNextPage = start !== -1 && start + request.limit < matching.length;
  const rows = new Map((await valueRows(graph, shown.map((index) => table.ids[index]), context)).map((row) => [row.customerId, row]));
  // A customer erased since the table was computed is left out of the page, with its cursor.
  const kept = shown.filter((index) => rows.has(table.ids[index]));
  return {
    items: kept.map((index) => toCustomerValue({ ...rows.get(table.ids[index])!, tier: table.tiers[index] as ValueTier }, context)),
    cursors: kept.map((index) => encodeCursor('customerSegments', [table.revenues[index], table.ids[index]])),
    hasNextPage,
    hasPreviousPage: request.after !== null,
    totalCount: matching.length,
  };
}
