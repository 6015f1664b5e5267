import type { FunnelStage } from '../../schema/generated/types';
import { campaignsByIds } from '../campaigns';
import { DomainError, notFound } from '../errors';
import { DAY_MS, PROMOTER_MIN_RECOMMEND } from '../model';
import { cypher, Graph } from '../neo4j';
import { CursorValue, encodeCursor, pageRequest, SortKey } from '../pagination';
import { checkId, checkIntRange } from '../validate';
import { hopBound } from './kinds';

/**
 * Advocates: customers ranked by how much a referral request to them is likely to bring. The score is a
 * weighted sum of five parts, each from 0 to 1, times 100; the SDL (schema/marketers.graphql, `Advocate`)
 * states the same formula, and every part's input is a field of the answer.
 */
export const ADVOCATE_WEIGHTS = { nps: 0.3, experience: 0.15, reach: 0.25, referral: 0.15, recency: 0.1 } as const;
/** Two-hop reach at which the reach part is full: log10(1 + reach) / 3 reaches 1 at 999. */
const REACH_FULL_LOG10 = 3;
/** The recency part halves every this many days since the last purchase. */
export const RECENCY_HALF_LIFE_DAYS = 90;
/** The ranking keeps this many; pages stop there. */
export const ADVOCATE_RANKING_SIZE = 500;
export const MAX_ADVOCATE_LIMIT = 100;

export interface AdvocateFilterArgs {
  campaignId: string | null;
  minRecommend: number | null;
  stage: FunnelStage | null;
  /** The untapped ranking: promoters with reach who never sent a referral. */
  untapped: boolean;
}

export interface AdvocateRecord {
  customerId: string;
  score: number;
  recommend: number | null;
  promoter: boolean;
  reviewCount: number;
  experienceLift: number | null;
  reachWithin1Hop: number;
  reachWithin2Hops: number;
  invitesSent: number;
  conversions: number;
  conversionRate: number;
  lastPurchaseAt: number | null;
  daysSinceLastPurchase: number | null;
}

/** What the parts of the score take; the reach part separately, as it is measured last. */
export interface AdvocateInputs {
  recommend: number | null;
  experienceLift: number | null;
  invitesSent: number;
  conversions: number;
  daysSinceLastPurchase: number | null;
}

const clamp01 = (value: number) => Math.min(1, Math.max(0, value));

export const reachPart = (reachWithin2Hops: number) => Math.min(1, Math.log10(1 + reachWithin2Hops) / REACH_FULL_LOG10);

/** The score without its reach part (0 to 100 − 100 × the reach weight). */
export function scoreWithoutReach(inputs: AdvocateInputs): number {
  const nps = inputs.recommend === null ? 0 : inputs.recommend / 10;
  const experience = inputs.experienceLift === null ? 0 : clamp01(0.5 + inputs.experienceLift / 4);
  const referral = (inputs.conversions + 1) / (inputs.invitesSent + 2);
  const recency = inputs.daysSinceLastPurchase === null ? 0 : 0.5 ** (inputs.daysSinceLastPurchase / RECENCY_HALF_LIFE_DAYS);
  const w = ADVOCATE_WEIGHTS;
  return 100 * (w.nps * nps + w.experience * experience + w.referral * referral + w.recency * recency);
}

export const advocateScore = (inputs: AdvocateInputs, reachWithin2Hops: number) =>
  scoreWithoutReach(inputs) + 100 * ADVOCATE_WEIGHTS.reach * reachPart(reachWithin2Hops);

// Everything but the reach, for every customer the filter lets through, in one pass; with an upper bound on
// the two-hop reach (degree plus the neighbours' degrees, less the edges back) read from the degree store,
// so the exact reach is measured only for customers who could still make the ranking.
// Product averages are computed once, up front, rather than once per review.
const ADVOCATE_INPUTS = cypher<{
  customerId: string;
  recommend: number | null;
  reviewCount: number;
  experienceLift: number | null;
  invitesSent: number;
  conversions: number;
  lastPurchaseAt: number | null;
  reachBound: number;
}>(
  'advocates.inputs',
  `CALL () {
     MATCH ()-[o:REVIEWED]->(p:Product)
     WITH p, avg(o.rating) AS average
     RETURN apoc.map.fromPairs(collect([elementId(p), average])) AS productAverage
   }
   MATCH (c:Customer)
   WHERE ($stage IS NULL OR c.stage = $stage)
     AND (EXISTS { (c)-[:PURCHASED]->() } OR EXISTS { (c)-[:REVIEWED]->() })
     AND ($campaignId IS NULL OR EXISTS { (c)-[r:REFERRED]->() WHERE r.campaign = $campaignId })
     AND (NOT $untapped OR NOT EXISTS { (c)-[:REFERRED]->() })
   CALL (c) {
     OPTIONAL MATCH (c)-[rv:REVIEWED]->(p:Product) WHERE rv.recommend IS NOT NULL
     WITH rv, p ORDER BY rv.at DESC, p.id LIMIT 1
     RETURN rv.recommend AS recommend
   }
   WITH c, recommend, productAverage
   WHERE ($minRecommend IS NULL OR recommend >= $minRecommend) AND (NOT $untapped OR recommend >= ${PROMOTER_MIN_RECOMMEND})
   CALL (c, productAverage) {
     OPTIONAL MATCH (c)-[rv:REVIEWED]->(p:Product)
     RETURN count(rv) AS reviewCount, avg(rv.rating - productAverage[elementId(p)]) AS experienceLift
   }
   CALL (c) {
     OPTIONAL MATCH (c)-[r:REFERRED]->() WHERE $campaignId IS NULL OR r.campaign = $campaignId
     RETURN count(r) AS invitesSent, count(CASE WHEN r.status = 'CONVERTED' THEN 1 END) AS conversions
   }
   CALL (c) {
     OPTIONAL MATCH (c)-[p:PURCHASED]->()
     RETURN max(p.at) AS lastPurchaseAt
   }
   CALL (c) {
     OPTIONAL MATCH (c)-[:KNOWS|FOLLOWS]-(n)
     RETURN count(n) + coalesce(sum(COUNT { (n)-[:KNOWS|FOLLOWS]-() } - 1), 0) AS reachBound
   }
   WITH * WHERE NOT $untapped OR reachBound > 0
   RETURN c.id AS customerId, recommend, reviewCount, experienceLift, invitesSent, conversions, lastPurchaseAt, reachBound`,
);

/** Distinct customers within one and two hops over KNOWS and FOLLOWS, either direction, for a batch of customers. */
export const SOCIAL_REACH_1_2 = cypher<{ customerId: string; reach1: number; reach2: number }>(
  'advocates.socialReach',
  `UNWIND $ids AS id
   MATCH (c:Customer {id: id})
   CALL (c) {
     OPTIONAL MATCH (c)-[:KNOWS|FOLLOWS]-(n1:Customer)
     WITH c, collect(DISTINCT n1) AS first
     CALL (c, first) {
       UNWIND first AS n1
       MATCH (n1)-[:KNOWS|FOLLOWS]-(n2:Customer) WHERE n2 <> c
       RETURN collect(DISTINCT n2) AS second
     }
     RETURN size(first) AS reach1, size(apoc.coll.toSet(first + second)) AS reach2
   }
   RETURN id AS customerId, reach1, reach2`,
);

const REACH_BATCH = 200;

const better = (a: AdvocateRecord, b: AdvocateRecord) => b.score - a.score || (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0);

/**
 * The best ADVOCATE_RANKING_SIZE advocates the filter lets through, best first, as of `now`. Customers are
 * measured exactly in order of the most their score could be (their score without reach plus the reach part
 * of their reach bound) until the last of the best beats every bound left, so the whole graph's two-hop reach
 * is never computed.
 */
export async function rankAdvocates(graph: Graph, filter: AdvocateFilterArgs, now: number): Promise<AdvocateRecord[]> {
  const rows = await graph.read(ADVOCATE_INPUTS, { ...filter });
  const candidates = rows
    .map((row) => {
      const daysSinceLastPurchase = row.lastPurchaseAt === null ? null : Math.max(0, now - row.lastPurchaseAt) / DAY_MS;
      const inputs: AdvocateInputs = { ...row, daysSinceLastPurchase };
      const partial = scoreWithoutReach(inputs);
      return { row, inputs, partial, upper: partial + 100 * ADVOCATE_WEIGHTS.reach * reachPart(row.reachBound) };
    })
    .sort((a, b) => b.upper - a.upper || (a.row.customerId < b.row.customerId ? -1 : 1));
  const best: AdvocateRecord[] = [];
  for (let start = 0; start < candidates.length; start += REACH_BATCH) {
    if (best.length >= ADVOCATE_RANKING_SIZE && best[ADVOCATE_RANKING_SIZE - 1].score > candidates[start].upper) break;
    const batch = candidates.slice(start, start + REACH_BATCH);
    const reach = new Map((await graph.read(SOCIAL_REACH_1_2, { ids: batch.map((c) => c.row.customerId) })).map((r) => [r.customerId, r]));
    for (const { row, inputs, partial } of batch) {
      const measured = reach.get(row.customerId);
      if (!measured) continue; // erased or removed since the first read
      if (filter.untapped && measured.reach2 === 0) continue;
      best.push({
        customerId: row.customerId,
        score: partial + 100 * ADVOCATE_WEIGHTS.reach * reachPart(measured.reach2),
        recommend: row.recommend,
        promoter: row.recommend !== null && row.recommend >= PROMOTER_MIN_RECOMMEND,
        reviewCount: row.reviewCount,
        experienceLift: row.experienceLift,
        reachWithin1Hop: measured.reach1,
        reachWithin2Hops: measured.reach2,
        invitesSent: row.invitesSent,
        conversions: row.conversions,
        conversionRate: row.invitesSent === 0 ? 0 : row.conversions / row.invitesSent,
        lastPurchaseAt: row.lastPurchaseAt,
        daysSinceLastPurchase: inputs.daysSinceLastPurchase,
      });
    }
    best.sort(better);
    best.length = Math.min(best.length, ADVOCATE_RANKING_SIZE);
  }
  return best;
}

/** A ranking as stored in its snapshot: ids and numbers only, and the moment recency was measured from. */
export interface AdvocateRanking {
  computedAt: number;
  entries: AdvocateRecord[];
}

export async function advocateRanking(graph: Graph, filter: AdvocateFilterArgs): Promise<AdvocateRanking> {
  const computedAt = Date.now();
  return { computedAt, entries: await rankAdvocates(graph, filter, computedAt) };
}

// Keyset order of the ranking: score, best first, then customer id.
const ADVOCATE_KEYS: readonly SortKey[] = [
  { expression: 'score', direction: 'DESC', type: 'number' },
  { expression: 'customerId', direction: 'ASC', type: 'string' },
];
const ADVOCATE_LIST = 'advocates';

export const advocateCursor = (entry: AdvocateRecord) => encodeCursor(ADVOCATE_LIST, [entry.score, entry.customerId]);

export interface AdvocatePageArgs {
  campaignId?: string | null;
  minRecommend?: number | null;
  stage?: FunnelStage | null;
  limit?: number | null;
  after?: string | null;
}

/** The filter checked, named as `filter.<field>` in errors: which ranking to serve and which page of it. */
export async function checkAdvocateFilter(
  graph: Graph,
  input: AdvocatePageArgs | null | undefined,
): Promise<{ ranking: AdvocateFilterArgs; limit: number; after: CursorValue[] | null }> {
  try {
    const campaignId = input?.campaignId ? checkId('campaignId', input.campaignId) : null;
    const minRecommend = input?.minRecommend === null || input?.minRecommend === undefined ? null : checkIntRange('minRecommend', input.minRecommend, 0, 10);
    const limit = hopBound('limit', input?.limit ?? 20, MAX_ADVOCATE_LIMIT);
    const after = pageRequest(ADVOCATE_LIST, ADVOCATE_KEYS, limit, input?.after).after;
    if (campaignId !== null) await requireCampaign(graph, campaignId);
    return { ranking: { campaignId, minRecommend, stage: input?.stage ?? null, untapped: false }, limit, after };
  } catch (error) {
    throw error instanceof DomainError ? error.under('filter') : error;
  }
}

/** NOT_FOUND naming `campaignId` when there is no such campaign. */
export async function requireCampaign(graph: Graph, campaignId: string): Promise<void> {
  if (!(await campaignsByIds(graph, [campaignId])).has(campaignId)) throw notFound('campaignId', `no campaign with id "${campaignId}".`);
}

/** The entries strictly after the cursor's position in the ranking's order, at most `limit`. */
export function advocatePage(entries: readonly AdvocateRecord[], after: CursorValue[] | null, limit: number): AdvocateRecord[] {
  if (after === null) return entries.slice(0, limit);
  const [score, customerId] = after as [number, string];
  return entries.filter((entry) => entry.score < score || (entry.score === score && entry.customerId > customerId)).slice(0, limit);
}
