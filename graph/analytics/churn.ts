import type { ValueTier } from '../../schema/generated/types';
import { DAY_MS } from '../model';
import { cypher, Graph } from '../neo4j';
import { requireRates, valueAtRisk, WIN_BACK_ROUTE_LENGTH } from '../valueRules';
import { CANDIDATES, CustomerValueRecord, LIFECYCLE, TIER, toCustomerValue, ValueContext, valueParams, ValueRow, VALUE_FACTS } from './value';

// Churn risks: A and B customers whose lifecycle is DECLINING, ranked by value at risk, each with a win-back route
// (who near them still buys) and churn contagion (how many of their buying connections were lost lately).

export interface ChurnRiskRecord {
  customerId: string;
  value: CustomerValueRecord;
  valueAtRisk: number;
  winBackRoute: string[];
  referrerOnRoute: boolean;
  buyingConnections: number;
  recentlyLostConnections: number;
  contagionShare: number;
}

// Declining A and B customers are a small share of buyers: all of them come back and are ranked in TypeScript,
// where valueAtRisk is defined once (graph/valueRules.ts).
const DECLINING_VALUABLE = cypher<{ missing: string[][]; rows: ValueRow[] }>(
  'churn.decliningValuable',
  `${CANDIDATES}
   ${VALUE_FACTS('c')}
   WITH c.id AS customerId, facts, ${TIER('facts')} AS tier, ${LIFECYCLE('facts')} AS lifecycle
   WITH collect(CASE WHEN size(facts.missing) > 0 THEN facts.missing END)[..10] AS missing,
        collect(CASE WHEN lifecycle = 'DECLINING' AND tier IN $tiers THEN {customerId: customerId, facts: facts, tier: tier, lifecycle: lifecycle} END) AS rows
   RETURN missing, rows`,
);

// A customer still buys with a purchase in ($asOf - activeMs, $asOf]. A connection became LOST in the last period
// when its last purchase up to asOf lies in ($asOf - lostAfterMs - periodMs, $asOf - lostAfterMs].
const ROUTES = cypher<{ id: string; referrerId: string | null; connections: string[]; buying: number; recentlyLost: number }>(
  'churn.winBackRoutes',
  `UNWIND $ids AS id
   MATCH (c:Customer {id: id})
   CALL (c) {
     OPTIONAL MATCH (referrer:Customer)-[r:REFERRED]->(c)
     WHERE r.signedUpAt IS NOT NULL AND EXISTS { (referrer)-[p:PURCHASED]->() WHERE p.at > $asOf - $activeMs AND p.at <= $asOf }
     RETURN referrer.id AS referrerId
   }
   CALL (c, referrerId) {
     OPTIONAL MATCH (c)-[k:KNOWS]-(friend:Customer)
     WHERE friend.id <> coalesce(referrerId, '') AND friend <> c
       AND EXISTS { (friend)-[p:PURCHASED]->() WHERE p.at > $asOf - $activeMs AND p.at <= $asOf }
     WITH friend, max(coalesce(k.strength, 0.0)) AS strength
     ORDER BY strength DESC, friend.id ASC
     RETURN collect(friend.id)[..$routeLength] AS connections
   }
   CALL (c) {
     OPTIONAL MATCH (c)-[:KNOWS]-(friend:Customer) WHERE friend <> c
     WITH DISTINCT friend
     CALL (friend) {
       OPTIONAL MATCH (friend)-[p:PURCHASED]->() WHERE p.at <= $asOf
       RETURN max(p.at) AS lastAt
     }
     WITH lastAt WHERE lastAt IS NOT NULL
     RETURN count(*) AS buying,
            count(CASE WHEN lastAt <= $asOf - $lostAfterMs AND lastAt > $asOf - $lostAfterMs - $periodMs THEN 1 END) AS recentlyLost
   }
   RETURN id, referrerId, connections, buying, recentlyLost`,
);

export interface ChurnFilter {
  campaignId: string | null;
  tier: ValueTier | null;
  limit: number;
}

export async function churnRisks(graph: Graph, filter: ChurnFilter, context: ValueContext): Promise<ChurnRiskRecord[]> {
  const params = valueParams(context);
  const [found] = await graph.read(DECLINING_VALUABLE, { ...params, campaignId: filter.campaignId, tiers: filter.tier ? [filter.tier] : ['A', 'B'] });
  requireRates(context.money, found.missing.flat());
  const ranked = found.rows
    .map((row) => ({ row, atRisk: valueAtRisk(row.facts.revenue, row.facts.purchases, row.facts.medianGap ?? 0) }))
    .sort((x, y) => y.atRisk - x.atRisk || (x.row.customerId < y.row.customerId ? -1 : 1))
    .slice(0, filter.limit);
  if (ranked.length === 0) return [];
  const routes = await graph.read(ROUTES, {
    ids: ranked.map(({ row }) => row.customerId),
    asOf: context.asOf,
    activeMs: context.rules.activeWithinDays * DAY_MS,
    lostAfterMs: context.rules.lostAfterDays * DAY_MS,
    periodMs: context.rules.contagionPeriodDays * DAY_MS,
    routeLength: WIN_BACK_ROUTE_LENGTH,
  });
  const routeOf = new Map(routes.map((route) => [route.id, route]));
  return ranked.map(({ row, atRisk }) => {
    const route = routeOf.get(row.customerId)!;
    const winBackRoute = [...(route.referrerId ? [route.referrerId] : []), ...route.connections].slice(0, WIN_BACK_ROUTE_LENGTH);
    return {
      customerId: row.customerId,
      value: toCustomerValue(row, context),
      valueAtRisk: atRisk,
      winBackRoute,
      referrerOnRoute: route.referrerId !== null,
      buyingConnections: route.buying,
      recentlyLostConnections: route.recentlyLost,
      contagionShare: route.buying === 0 ? 0 : Math.round((route.recentlyLost / route.buying) * 1e6) / 1e6,
    };
  });
}
