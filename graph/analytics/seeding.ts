import { cypher, Graph } from '../neo4j';
import { celfCoverage, CoveragePick, naiveCoverage } from './celf';
import { topBySocialReach } from './influence';

/** The most advocates one plan chooses; a plan is computed for this many and cut to the k asked for. */
export const MAX_SEED_K = 100;
/**
 * Candidates are this many customers with the largest two-hop reach: on a large graph the best seeds are
 * among the most reaching, and the reach sets of a few hundred customers fit in memory where everyone's do not.
 */
export const SEED_CANDIDATES = 200;

// Two-hop reach sets over KNOWS and FOLLOWS, either direction, the customer excluded: internal node ids
// (numbers, not customer ids) to keep the sets small. They are compared within this one computation only.
const REACH_SETS = cypher<{ customerId: string; members: number[] }>(
  'seeding.reachSets',
  `UNWIND $ids AS id
   MATCH (c:Customer {id: id})
   CALL (c) {
     OPTIONAL MATCH (c)-[:KNOWS|FOLLOWS]-{1,2}(n:Customer) WHERE n <> c
     RETURN collect(DISTINCT id(n)) AS members
   }
   RETURN id AS customerId, members`,
);

const REACH_SET_BATCH = 20;

export interface SeedPlanRecord {
  /** Greedy (CELF) picks for MAX_SEED_K, in the order chosen. */
  picks: Array<{ customerId: string; marginalReach: number; reach: number }>;
  /** The naive choice for MAX_SEED_K: candidates by reach, largest first. */
  naive: string[];
  /** `naiveTotals[i]`: distinct customers the first i + 1 naive picks reach. */
  naiveTotals: number[];
  candidates: number;
}

/** Plans for every k up to MAX_SEED_K at once: the greedy picks and the naive totals are both prefix-stable. */
export async function seedPlan(graph: Graph, campaignId: string | null): Promise<SeedPlanRecord> {
  const top = await topBySocialReach(graph, campaignId, SEED_CANDIDATES);
  const candidates: Array<{ id: string; members: number[] }> = [];
  for (let start = 0; start < top.length; start += REACH_SET_BATCH) {
    const ids = top.slice(start, start + REACH_SET_BATCH).map((row) => row.customerId);
    for (const row of await graph.read(REACH_SETS, { ids })) candidates.push({ id: row.customerId, members: row.members });
  }
  const picks: CoveragePick[] = celfCoverage(candidates, MAX_SEED_K);
  const naive = naiveCoverage(candidates, MAX_SEED_K);
  return {
    picks: picks.map((pick) => ({ customerId: pick.id, marginalReach: pick.marginal, reach: pick.size })),
    naive: naive.ids,
    naiveTotals: naive.totals,
    candidates: candidates.length,
  };
}

/** The plan for `k`: its first k picks, and the naive choice of as many. */
export function planFor(plan: SeedPlanRecord, k: number) {
  const picks = plan.picks.slice(0, k);
  const naive = plan.naive.slice(0, k);
  return {
    picks,
    totalReach: picks.reduce((total, pick) => total + pick.marginalReach, 0),
    naive,
    naiveTotalReach: naive.length === 0 ? 0 : plan.naiveTotals[naive.length - 1],
    candidates: plan.candidates,
  };
}
