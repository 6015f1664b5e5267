import type { HoldReason, IdentifierKind, ReviewQueueFilter } from '../schema/generated/types';
import { badInput } from './errors';
import { asEvidence, HashedIdentifier } from './identifiers';
import { ReferralRecord } from './model';
import { cypher, Graph } from './neo4j';
import { REFERRAL_PROJECTION } from './referrals';
import { REWARD_PROJECTION, RewardRecord } from './rewards';
import { checkId, checkIntRange } from './validate';

// What a community manager reviews: HELD referrals and PENDING rewards, oldest first, each with its evidence.
// Evidence shows identifiers as kind and hash prefix only (graph/identifiers.ts), never a value.

export interface EvidenceRecord {
  sharedIdentifiers: Array<{ kind: IdentifierKind; hashPrefix: string }>;
  referrerSignupsLastHour: number | null;
  refunded: boolean;
}

export interface HeldReferralRecord {
  referral: ReferralRecord;
  reason: HoldReason;
  heldAt: number;
  evidence: EvidenceRecord;
}

export interface PendingRewardRecord {
  reward: RewardRecord;
  evidence: EvidenceRecord;
}

const SHARED = (a: string, b: string) =>
  `COLLECT { MATCH (${a})-[:HAS_IDENTIFIER]->(i:Identifier)<-[:HAS_IDENTIFIER]-(${b}) WITH DISTINCT i ORDER BY i.kind, i.hash RETURN {kind: i.kind, hash: i.hash} }`;

// Uses the referred_status index.
const HELD = cypher<{ referral: ReferralRecord; reason: HoldReason; heldAt: number; velocityCount: number | null; shared: HashedIdentifier[] }>(
  'reviewQueue.held',
  `MATCH (referrer:Customer)-[r:REFERRED]->(invitee:Customer)
   WHERE r.status = 'HELD' AND ($campaignId IS NULL OR r.campaign = $campaignId) AND ($reason IS NULL OR r.holdReason = $reason)
   WITH referrer, r, invitee ORDER BY r.heldAt, invitee.id LIMIT $limit
   RETURN r ${REFERRAL_PROJECTION('r', 'referrer', 'invitee')} AS referral, r.holdReason AS reason, r.heldAt AS heldAt,
          r.velocityCount AS velocityCount, ${SHARED('referrer', 'invitee')} AS shared`,
);

// Uses the reward_status index.
const PENDING = cypher<{ reward: RewardRecord; velocityCount: number | null; shared: HashedIdentifier[]; refunded: boolean }>(
  'reviewQueue.pending',
  `MATCH (w:Reward {status: 'PENDING'})
   WHERE ($campaignId IS NULL OR w.campaignId = $campaignId) AND ($manualApproval IS NULL OR w.manualApproval = $manualApproval)
   WITH w ORDER BY w.createdAt, w.id LIMIT $limit
   MATCH (w)-[:FROM_REFERRER]->(referrer:Customer), (w)-[:FOR_INVITEE]->(invitee:Customer)
   RETURN w ${REWARD_PROJECTION('w')} AS reward,
          head(COLLECT { MATCH (referrer)-[r:REFERRED]->(invitee) WHERE r.creditedInvitee IS NOT NULL RETURN r.velocityCount }) AS velocityCount,
          ${SHARED('referrer', 'invitee')} AS shared,
          EXISTS { MATCH ()-[p:PURCHASED {orderId: w.orderId}]->() WHERE p.refundedAt IS NOT NULL } AS refunded`,
);

export const MAX_QUEUE_LIMIT = 500;

export async function reviewQueue(graph: Graph, filter: ReviewQueueFilter | null | undefined): Promise<{ heldReferrals: HeldReferralRecord[]; pendingRewards: PendingRewardRecord[] }> {
  const params = {
    campaignId: filter?.campaignId ? checkId('filter.campaignId', filter.campaignId) : null,
    reason: filter?.reason ?? null,
    manualApproval: filter?.manualApproval ?? null,
    limit: checkIntRange('filter.limit', filter?.limit ?? 100, 1, MAX_QUEUE_LIMIT),
  };
  if (params.reason !== null && params.manualApproval !== null) throw badInput('filter.reason', 'filter.reason narrows held referrals and filter.manualApproval pending rewards; give one.');
  return graph.readTransaction(async (tx) => {
    const held = params.manualApproval === null ? await tx.run(HELD, params) : [];
    const pending = params.reason === null ? await tx.run(PENDING, params) : [];
    return {
      heldReferrals: held.map((row) => ({
        referral: row.referral,
        reason: row.reason,
        heldAt: row.heldAt,
        evidence: { sharedIdentifiers: row.shared.map(asEvidence), referrerSignupsLastHour: row.velocityCount, refunded: false },
      })),
      pendingRewards: pending.map((row) => ({
        reward: row.reward,
        evidence: { sharedIdentifiers: row.shared.map(asEvidence), referrerSignupsLastHour: row.velocityCount, refunded: row.refunded },
      })),
    };
  });
}

// Rewards approved (not yet paid) or paid within the period; uses the reward_campaign index.
const PAYOUTS = cypher<{ row: RewardRecord }>(
  'reward.payoutReport',
  `MATCH (w:Reward {campaignId: $campaignId})
   WHERE (w.status = 'APPROVED' AND w.approvedAt >= $from AND w.approvedAt < $to) OR (w.status = 'PAID' AND w.paidAt >= $from AND w.paidAt < $to)
   WITH w ORDER BY coalesce(w.paidAt, w.approvedAt), w.id LIMIT $limit
   RETURN w ${REWARD_PROJECTION('w')} AS row`,
);

/** The most rows one payout report returns; a longer period is asked for in parts. */
export const MAX_PAYOUT_ROWS = 10_000;

export async function payoutReport(graph: Graph, campaignId: string, from: number, to: number) {
  const id = checkId('campaignId', campaignId);
  if (to <= from) throw badInput('to', 'to must be after from.');
  const rows = await graph.read(PAYOUTS, { campaignId: id, from, to, limit: MAX_PAYOUT_ROWS });
  return rows.map(({ row }) => ({ ...row, rewardId: row.id }));
}
