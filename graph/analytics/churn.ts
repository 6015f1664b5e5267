import type { ValueTier } from '../../schema/generated/types';
import { DAY_MS } from '../model';
import { cypher, Graph } from '../neo4j';
import { WIN_BACK_ROUTE_LENGTH } from '../valueRules';
import { SegmentTable, segmentIndexes } from './segments';
import { CustomerValueRecord, toCustomerValue, ValueContext, valueRows } from './value';

// Churn risks: A and B customers whose lifecycle is DECLINING, ranked by value at risk (from the segment table,
// graph/analytics/segments.ts), each with a win-back route (who near them still buys) and churn contagion (how many
// of their buying connections were lost lately), both read as of the table's moment.

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

export async function churnRisks(graph: Graph, table: SegmentTable, filter: ChurnFilter, context: ValueContext): Promise<ChurnRiskRecord[]> {
  const atRisk = new Map(table.risks);
  const ranked = segmentIndexes(table, { tier: filter.tier, lifecycle: 'DECLINING', campaignId: filter.campaignId }, table.risks.map(([index]) => index)).slice(0, filter.limit);
  if (ranked.length === 0) return [];
  const ids = ranked.map((index) => table.ids[index]);
  const [routes, values] = await Promise.all([
    graph.read(ROUTES, {
      ids,
      asOf: context.asOf,
      activeMs: context.rules.activeWithinDays * DAY_MS,
      lostAfterMs: context.rules.lostAfterDays * DAY_MS,
      periodMs: context.rules.contagionPeriodDays * DAY_MS,
      routeLength: WIN_BACK_ROUTE_LENGTH,
    }),
    valueRows(graph, ids, context),
  ]);
  const routeOf = new Map(routes.map((route) => [route.id, route]));
  const valueOf = new Map(values.map((value) => [value.customerId, value]));
  // A customer erased since the table was computed is left out.
  return ranked.flatMap((index) => {
    const id = table.ids[index];
    const route = routeOf.get(id);
    const value = valueOf.get(id);
    if (!route || !value) return [];
    const winBackRoute = [...(route.referrerId ? [route.referrerId] : []), ...route.connections].slice(0, WIN_BACK_ROUTE_LENGTH);
    return [{
      customerId: id,
      value: toCustomerValue({ ...value, tier: table.tiers[index] as ValueTier }, context),
      valueAtRisk: atRisk.get(index)!,
      winBackRoute,
      referrerOnRoute: route.referrerId !== null,
      buyingConnections: route.buying,
      recentlyLostConnections: route.recentlyLost,
      contagionShare: route.buying === 0 ? 0 : Math.round((route.recentlyLost / route.buying) * 1e6) / 1e6,
    }];
  });
}
