import type { InfluenceMeasure } from '../../schema/generated/types';
import { cypher, Graph } from '../neo4j';
import { projectionName } from '../projections';
import { checkId } from '../validate';
import { hopBound } from './kinds';
import { requireCustomersIn } from '../customers';
import { HopCountRecord, reachByHop } from './separation';

export const MAX_REACH_DEPTH = 10;
export const MAX_TOP_LIMIT = 100;

export interface GenerationReachRecord {
  generation: number;
  customers: number;
  converted: number;
}

export interface InfluencerReachRecord {
  customerId: string;
  invitesSent: number;
  directReferrals: number;
  downstreamCustomers: number;
  downstreamConverted: number;
  downstreamPurchaseTotal: number;
  generations: GenerationReachRecord[];
  socialReach: HopCountRecord[];
}

// The referral tree is the credited (signed-up) referrals: one parent per customer, so each
// customer below is reached by exactly one path and the quantified pattern enumerates the tree once.
const REFERRAL_TREE = cypher<{ invitesSent: number; generation: number | null; customers: number; converted: number; spent: number }>(
  'analytics.referralTree',
  `MATCH (c:Customer {id: $id})
   OPTIONAL MATCH (c) (()-[r:REFERRED WHERE r.signedUpAt IS NOT NULL]->()){1,${MAX_REACH_DEPTH}} (d:Customer)
   WITH c, d, size(r) AS generation, last(r) AS credit
   WHERE d IS NULL OR generation <= $maxDepth
   CALL (d) {
     OPTIONAL MATCH (d)-[p:PURCHASED]->()
     RETURN coalesce(sum(p.amount), 0) AS spent
   }
   WITH c, generation, count(d) AS customers, count(CASE WHEN credit.status = 'CONVERTED' THEN 1 END) AS converted, sum(spent) AS spent
   RETURN COUNT { (c)-[:REFERRED]->() } AS invitesSent, generation, customers, converted, spent
   ORDER BY generation`,
);

export async function influencerReach(graph: Graph, customerId: string, maxDepth: number): Promise<InfluencerReachRecord> {
  checkId('customerId', customerId);
  const depth = hopBound('maxDepth', maxDepth, MAX_REACH_DEPTH);
  await requireCustomersIn(graph, { customerId });
  const rows = await graph.read(REFERRAL_TREE, { id: customerId, maxDepth: depth });
  const levels = rows.flatMap((row) => (row.generation === null ? [] : [{ ...row, generation: row.generation }]));
  const generations = levels
    .filter((row) => row.customers > 0)
    .map((row) => ({ generation: row.generation, customers: row.customers, converted: row.converted }));
  const sum = (pick: (row: (typeof levels)[number]) => number) => levels.reduce((total, row) => total + pick(row), 0);
  return {
    customerId,
    invitesSent: rows[0]?.invitesSent ?? 0,
    directReferrals: generations.find((g) => g.generation === 1)?.customers ?? 0,
    downstreamCustomers: sum((row) => row.customers),
    downstreamConverted: sum((row) => row.converted),
    downstreamPurchaseTotal: Math.round(sum((row) => row.spent) * 100) / 100,
    generations,
    socialReach: cumulative(await reachByHop(graph, customerId, 'KNOWS|FOLLOWS', 3)),
  };
}

/** Distinct customers within 1, 2, … hops, from the counts at exactly each hop. */
function cumulative(byHop: HopCountRecord[]): HopCountRecord[] {
  let total = 0;
  return byHop.map(({ hops, customers }) => ({ hops, customers: (total += customers) }));
}

export interface RankingRecord {
  customerId: string;
  score: number;
}

// Referrers ranked by the size of their tree (or its converted part), optionally within one campaign.
const TOP_BY_TREE = cypher<RankingRecord>(
  'analytics.topByReferralTree',
  `MATCH (c:Customer)-[first:REFERRED]->()
   WHERE first.signedUpAt IS NOT NULL AND ($campaignId IS NULL OR first.campaign = $campaignId)
   WITH DISTINCT c
   MATCH (c) (()-[r:REFERRED WHERE r.signedUpAt IS NOT NULL AND ($campaignId IS NULL OR r.campaign = $campaignId)]->()){1,${MAX_REACH_DEPTH}} (d:Customer)
   WITH c, count(d) AS reach, count(CASE WHEN last(r).status = 'CONVERTED' THEN 1 END) AS conversions
   WITH c, CASE WHEN $byConversions THEN conversions ELSE reach END AS score
   WHERE score > 0
   RETURN c.id AS customerId, score
   ORDER BY score DESC, customerId
   LIMIT $limit`,
);

// An upper bound on each customer's two-hop reach: their degree plus their neighbours' degrees (less the
// edge back). Degrees are read from Neo4j's degree store, so this costs one pass over the relationships.
const SOCIAL_REACH_BOUNDS = cypher<{ customerId: string; bound: number }>(
  'analytics.socialReachBounds',
  `MATCH (c:Customer)
   WHERE $campaignId IS NULL OR EXISTS { (c)-[r:REFERRED]->() WHERE r.campaign = $campaignId }
   WITH c, COUNT { (c)-[:KNOWS|FOLLOWS]-() } AS degree
   WHERE degree > 0
   CALL (c) {
     MATCH (c)-[:KNOWS|FOLLOWS]-(n)
     RETURN sum(COUNT { (n)-[:KNOWS|FOLLOWS]-() } - 1) AS beyond
   }
   RETURN c.id AS customerId, degree + beyond AS bound
   ORDER BY bound DESC, customerId
   SKIP $skip LIMIT $limit`,
);

// Distinct customers within two hops over KNOWS and FOLLOWS, either direction, for a batch of customers.
const SOCIAL_REACH_EXACT = cypher<RankingRecord>(
  'analytics.socialReachExact',
  `UNWIND $ids AS id
   MATCH (c:Customer {id: id})
   CALL (c) {
     MATCH (c)-[:KNOWS|FOLLOWS]-(n1:Customer)
     WITH c, collect(DISTINCT n1) AS first
     UNWIND first AS n1
     OPTIONAL MATCH (n1)-[:KNOWS|FOLLOWS]-(n2:Customer)
     WHERE n2 <> c
     WITH first, collect(DISTINCT n2) AS second
     RETURN size(apoc.coll.toSet(first + second)) AS reach
   }
   RETURN id AS customerId, reach AS score`,
);

const BOUND_PAGE = 2000;
const EXACT_BATCH = 100;

/**
 * Exact top-k two-hop reach without computing it for everyone: candidates are taken in order of
 * their upper bound and measured exactly, until the k-th best exact reach beats every bound left.
 */
export async function topBySocialReach(graph: Graph, campaignId: string | null, limit: number): Promise<RankingRecord[]> {
  const best: RankingRecord[] = [];
  const better = (a: RankingRecord, b: RankingRecord) => b.score - a.score || (a.customerId < b.customerId ? -1 : 1);
  for (let skip = 0; ; skip += BOUND_PAGE) {
    const bounds = await graph.read(SOCIAL_REACH_BOUNDS, { campaignId, skip, limit: BOUND_PAGE });
    for (let start = 0; start < bounds.length; start += EXACT_BATCH) {
      const nextBound = bounds[start].bound;
      if (best.length >= limit && best[limit - 1].score > nextBound) return best.slice(0, limit);
      const ids = bounds.slice(start, start + EXACT_BATCH).map((row) => row.customerId);
      const exact = await graph.read(SOCIAL_REACH_EXACT, { ids });
      best.push(...exact);
      best.sort(better);
      best.length = Math.min(best.length, limit);
    }
    if (bounds.length < BOUND_PAGE) return best;
  }
}

// GDS PageRank: rank flows from invitee to referrer (REFERRED reversed), from follower to followed,
// and both ways along KNOWS, so customers whom many well-connected people trust rank high.
// The projection is a parameter holding only the types the database has: GDS refuses unknown ones. The ranking is
// collected in a subquery, which returns one row even when no customer qualifies (a campaign nobody referred in), so
// the projection is dropped and the answer is an empty ranking.
const PAGERANK = cypher<{ ranking: RankingRecord[] }>(
  'analytics.pageRank',
  `CALL gds.graph.project($graphName, 'Customer', $relationships) YIELD graphName
   CALL (graphName) {
     CALL gds.pageRank.stream(graphName, $settings)
     YIELD nodeId, score
     WITH gds.util.asNode(nodeId) AS c, score
     WHERE $campaignId IS NULL OR EXISTS { (c)-[r:REFERRED]->() WHERE r.campaign = $campaignId }
     WITH c, score ORDER BY score DESC, c.id LIMIT $limit
     RETURN collect({customerId: c.id, score: score}) AS ranking
   }
   CALL gds.graph.drop(graphName, false) YIELD graphName AS dropped
   RETURN ranking`,
);

const PAGERANK_RELATIONSHIPS = {
  KNOWS: { type: 'KNOWS', orientation: 'UNDIRECTED' },
  FOLLOWS: { type: 'FOLLOWS', orientation: 'NATURAL' },
  REFERRED: { type: 'REFERRED', orientation: 'REVERSE' },
};

const RELATIONSHIP_TYPES = cypher<{ types: string[] }>('analytics.relationshipTypes', 'CALL db.relationshipTypes() YIELD relationshipType RETURN collect(relationshipType) AS types');

export const PAGERANK_SETTINGS = { dampingFactor: 0.85, maxIterations: 100, tolerance: 1e-9 };

const DROP_PROJECTION = cypher('analytics.dropProjection', 'CALL gds.graph.drop($graphName, false) YIELD graphName RETURN graphName');

export async function topInfluencers(
  graph: Graph,
  by: InfluenceMeasure,
  campaignId: string | null | undefined,
  limit: number,
): Promise<RankingRecord[]> {
  const top = hopBound('limit', limit, MAX_TOP_LIMIT);
  const campaign = campaignId ? checkId('campaignId', campaignId) : null;
  switch (by) {
    case 'REFERRAL_REACH':
    case 'CONVERSIONS': {
      return graph.read(TOP_BY_TREE, { campaignId: campaign, limit: top, byConversions: by === 'CONVERSIONS' });
    }
    case 'SOCIAL_REACH':
      return topBySocialReach(graph, campaign, top);
    case 'PAGERANK': {
      // A projection per call, named uniquely so concurrent calls never share or drop each other's.
      const graphName = projectionName('pagerank');
      const [{ types }] = await graph.read(RELATIONSHIP_TYPES);
      const relationships = Object.fromEntries(Object.entries(PAGERANK_RELATIONSHIPS).filter(([type]) => types.includes(type)));
      if (Object.keys(relationships).length === 0) return [];
      try {
        const [row] = await graph.read(PAGERANK, { graphName, relationships, campaignId: campaign, limit: top, settings: PAGERANK_SETTINGS });
        return row.ranking;
      } catch (error) {
        await graph.read(DROP_PROJECTION, { graphName }).catch(() => undefined);
        throw error;
      }
    }
  }
}
