import { emitEvents, rewardChangedEvent } from './outbox';
import type { RewardSide, RewardStatus } from '../schema/generated/types';
import { conflict, notFound } from './errors';
import { DAY_MS } from './model';
import { cypher, Graph, Tx } from './neo4j';
import { checkId, checkText } from './validate';

/**
 * Rewards earned by a converted referral, one per side (referrer, friend) that the campaign's terms reward.
 *
 *   PENDING ──► APPROVED ──► PAID
 *      │            │
 *      └──────┬─────┘
 *             ▼
 *          REVOKED           (PAID and REVOKED are final)
 *
 * PENDING → APPROVED by the release job once the hold period passed (unless the campaign wants manual approval),
 * or by a manager at any time; APPROVED → PAID by product code; → REVOKED by a manager, or by a refund of the
 * converting purchase within the hold period. Every change goes through `changeRewards`, the one function that
 * moves a reward (the place to publish a RewardChanged event after commit), and appends one ledger entry:
 * (:Reward)-[:HAS_ENTRY]->(:RewardLedgerEntry {seq, from, to, at, actor, reason}). Entries are only ever created.
 * Concurrency: the reward is write-locked (a statement of its own) before its status is read (another), so two
 * managers (or a manager and the job) queue, and the second sees the first's change (tested).
 */

export interface RewardRecord {
  id: string;
  side: RewardSide;
  customerId: string;
  referrerId: string;
  inviteeId: string;
  campaignId: string;
  status: RewardStatus;
  amount: number | null;
  currency: string | null;
  points: number | null;
  orderId: string | null;
  convertedAt: number;
  holdUntil: number;
  manualApproval: boolean;
  approvedAt: number | null;
  paidAt: number | null;
}

export interface LedgerEntryRecord {
  from: RewardStatus | null;
  to: RewardStatus;
  at: number;
  actor: string;
  reason: string | null;
}

/** Who a reward goes to and whose referral earned it are relationships, so erasure of a customer follows them. */
export const REWARD_PROJECTION = (w: string) =>
  `{.id, .side, .campaignId, .status, .amount, .currency, .points, .orderId, .convertedAt, .holdUntil, .manualApproval, .approvedAt, .paidAt,
    customerId: head(COLLECT { MATCH (${w})-[:EARNED_BY]->(x:Customer) RETURN x.id }),
    referrerId: head(COLLECT { MATCH (${w})-[:FROM_REFERRER]->(x:Customer) RETURN x.id }),
    inviteeId: head(COLLECT { MATCH (${w})-[:FOR_INVITEE]->(x:Customer) RETURN x.id })}`;

/**
 * Creates the rewards of a referral that has just converted (status CONVERTED, so never a HELD one) and has none
 * yet, from its campaign's terms; `r.rewardsCreatedAt` marks it so a later purchase creates none again, and the
 * reward_key constraint (side and the credited invitee) is the backstop. The converting order is the invitee's
 * purchase at `firstPurchaseAt`; the hold period runs from that purchase. Used by RECORD_PURCHASE and
 * CREDIT_REFERRAL (both paths, per-event and batch, run the same statements) and by approveReferral.
 */
export const REWARDS_ON_CONVERSION = (r: string, referrer: string, invitee: string) =>
  `CALL (${r}, ${referrer}, ${invitee}) {
     WITH ${r} AS rr, ${referrer} AS rf, ${invitee} AS iv WHERE rr.status = 'CONVERTED' AND rr.rewardsCreatedAt IS NULL
     MATCH (campaign:Campaign {id: rr.campaign}) WHERE campaign.rewardHoldDays IS NOT NULL
     OPTIONAL MATCH (iv)-[cp:PURCHASED]->() WHERE cp.at = rr.firstPurchaseAt
     WITH rr, rf, iv, campaign, min(cp.orderId) AS orderId
     SET rr.rewardsCreatedAt = timestamp()
     WITH rr, rf, iv, campaign, orderId
     UNWIND [
       {side: 'REFERRER', to: rf, amount: campaign.referrerRewardAmount, currency: campaign.referrerRewardCurrency, points: campaign.referrerRewardPoints},
       {side: 'FRIEND', to: iv, amount: campaign.friendRewardAmount, currency: campaign.friendRewardCurrency, points: campaign.friendRewardPoints}
     ] AS terms
     WITH rr, rf, iv, campaign, orderId, terms, terms.to AS beneficiary WHERE terms.amount IS NOT NULL OR terms.points IS NOT NULL
     CREATE (w:Reward {id: randomUUID(), key: terms.side + ':' + rr.creditedInvitee, side: terms.side, status: 'PENDING', campaignId: rr.campaign,
                       amount: terms.amount, currency: terms.currency, points: terms.points, orderId: orderId,
                       convertedAt: rr.firstPurchaseAt, holdUntil: rr.firstPurchaseAt + campaign.rewardHoldDays * ${DAY_MS},
                       manualApproval: campaign.rewardManualApproval, createdAt: timestamp(), ledgerSize: 1})
     CREATE (w)-[:EARNED_BY]->(beneficiary)
     CREATE (w)-[:FROM_REFERRER]->(rf)
     CREATE (w)-[:FOR_INVITEE]->(iv)
     CREATE (w)-[:HAS_ENTRY]->(:RewardLedgerEntry {seq: 1, from: null, to: 'PENDING', at: timestamp(), actor: 'system:conversion', reason: 'conversion'})
   }`;

// The lock is a write to a property nothing else writes: `SET w.status = w.status` would read the status before
// waiting for the lock and write that stale value back over a concurrent writer's change.
const LOCK_REWARDS = cypher<{ id: string }>(
  'reward.lock',
  `UNWIND $ids AS id
   MATCH (w:Reward {id: id})
   SET w.lockedAt = timestamp()
   RETURN id`,
);

const REWARD_STATUS = cypher<{ id: string; status: RewardStatus }>(
  'reward.status',
  `UNWIND $ids AS id MATCH (w:Reward {id: id}) RETURN id, w.status AS status`,
);

// Read again after the lock (a separate statement), so the guard sees what concurrent writers committed.
const CHANGE_REWARDS = cypher<{ reward: RewardRecord }>(
  'reward.change',
  `UNWIND $changes AS change
   MATCH (w:Reward {id: change.rewardId})
   WITH w, change, w.status AS from WHERE from IN change.from
   SET w.status = change.to, w.ledgerSize = coalesce(w.ledgerSize, 0) + 1,
       w.approvedAt = CASE WHEN change.to = 'APPROVED' THEN change.at ELSE w.approvedAt END,
       w.paidAt = CASE WHEN change.to = 'PAID' THEN change.at ELSE w.paidAt END,
       w.revokedAt = CASE WHEN change.to = 'REVOKED' THEN change.at ELSE w.revokedAt END
   CREATE (w)-[:HAS_ENTRY]->(:RewardLedgerEntry {seq: w.ledgerSize, from: from, to: change.to, at: change.at, actor: change.actor, reason: change.reason})
   RETURN w ${REWARD_PROJECTION('w')} AS reward`,
);

/** Which statuses each status may be reached from: nothing leaves PAID or REVOKED, nothing returns to PENDING. */
export const ALLOWED_FROM: Record<RewardStatus, RewardStatus[]> = {
  PENDING: [],
  APPROVED: ['PENDING'],
  PAID: ['APPROVED'],
  REVOKED: ['PENDING', 'APPROVED'],
};

export interface RewardChange {
  rewardId: string;
  to: RewardStatus;
  /** `role:keyId` of the caller, `system:<job>` or `event:<kind>`: never a raw key. */
  actor: string;
  reason: string | null;
  at: number;
}

/**
 * The one way a reward changes status. Locks the rewards, then applies each change its current status allows.
 * `strict` (a manager's or product code's request for one reward): a reward that does not exist is NOT_FOUND and a
 * change its status does not allow is CONFLICT, naming `rewardId`. Otherwise (the release job, a refund) such
 * rewards are skipped. Returns the rewards changed.
 */
export async function changeRewards(tx: Tx, changes: readonly RewardChange[], strict: boolean): Promise<RewardRecord[]> {
  if (changes.length === 0) return [];
  const ids = [...new Set(changes.map((change) => change.rewardId))].sort();
  await tx.run(LOCK_REWARDS, { ids });
  const locked = new Map((await tx.run(REWARD_STATUS, { ids })).map((row) => [row.id, row.status]));
  const allowed = changes.filter((change) => {
    const status = locked.get(change.rewardId);
    if (status === undefined) {
      if (strict) throw notFound('rewardId', `no reward "${change.rewardId}".`);
      return false;
    }
    if (ALLOWED_FROM[change.to].includes(status)) return true;
    if (strict) throw conflict('rewardId', `reward "${change.rewardId}" is ${status}; it cannot become ${change.to}.`);
    return false;
  });
  if (allowed.length === 0) return [];
  const rows = await tx.run(CHANGE_REWARDS, { changes: allowed.map((change) => ({ ...change, from: ALLOWED_FROM[change.to] })) });
  const rewards = rows.map((row) => row.reward);
  await emitEvents(tx, rewards.map((reward) => rewardChangedEvent(reward.customerId, reward.id, reward.campaignId)));
  return rewards;
}

const REWARDS_BY_ID = cypher<{ reward: RewardRecord }>(
  'reward.byIds',
  `UNWIND $ids AS id MATCH (w:Reward {id: id}) RETURN w ${REWARD_PROJECTION('w')} AS reward`,
);

export async function rewardsByIds(graph: Graph, ids: readonly string[]): Promise<Map<string, RewardRecord>> {
  const rows = await graph.read(REWARDS_BY_ID, { ids: [...new Set(ids)] });
  return new Map(rows.map((row) => [row.reward.id, row.reward]));
}

const LEDGERS = cypher<{ id: string; entries: LedgerEntryRecord[] }>(
  'reward.ledgers',
  `UNWIND $ids AS id
   MATCH (w:Reward {id: id})
   RETURN id, COLLECT { MATCH (w)-[:HAS_ENTRY]->(e:RewardLedgerEntry) WITH e ORDER BY e.seq RETURN e {.from, .to, .at, .actor, .reason} } AS entries`,
);

/** Each reward's ledger, oldest entry first. */
export async function rewardLedgers(graph: Graph, ids: readonly string[]): Promise<Map<string, LedgerEntryRecord[]>> {
  const rows = await graph.read(LEDGERS, { ids: [...new Set(ids)] });
  return new Map(rows.map((row) => [row.id, row.entries]));
}

/** A manager's or product code's decision on one reward: the note is checked, the reward locked and moved. */
export async function decideReward(tx: Tx, input: { rewardId: string; note?: string | null }, to: RewardStatus, actor: string, now: number): Promise<RewardRecord> {
  const rewardId = checkId('rewardId', input.rewardId);
  const reason = checkText('note', input.note, 200) ?? null;
  const [reward] = await changeRewards(tx, [{ rewardId, to, actor, reason, at: now }], true);
  return reward;
}

// Uses the reward_status index; the hold passes at `holdUntil`.
const RELEASABLE = cypher<{ id: string }>(
  'reward.releasable',
  `MATCH (w:Reward {status: 'PENDING'}) WHERE w.manualApproval = false AND w.holdUntil <= $now
   RETURN w.id AS id ORDER BY w.holdUntil LIMIT $batch`,
);

export const RELEASE_BATCH_SIZE = 500;

/**
 * Approves every pending reward whose hold period has passed and whose campaign does not want manual approval,
 * one batch per transaction, until none is left or `signal` aborts; returns how many it approved.
 */
export async function releaseHeldRewards(graph: Graph, now: number, options: { signal?: AbortSignal; batch?: number } = {}): Promise<number> {
  const batch = options.batch ?? RELEASE_BATCH_SIZE;
  let total = 0;
  while (!options.signal?.aborted) {
    const due = await graph.read(RELEASABLE, { now, batch });
    if (due.length === 0) break;
    const changed = await graph.writeTransaction((tx) =>
      changeRewards(tx, due.map(({ id }) => ({ rewardId: id, to: 'APPROVED', actor: 'system:hold-period', reason: 'hold-period-passed', at: now })), false),
    );
    total += changed.length;
    if (due.length < batch || changed.length === 0) break;
  }
  return total;
}

// Locks the purchase (a write to it) before its refund state is read, so concurrent refunds of one order queue.
const LOCK_ORDER = cypher<{ found: boolean }>(
  'refund.lockOrder',
  `MATCH ()-[p:PURCHASED {orderId: $orderId}]->()
   SET p.lockedAt = timestamp()
   RETURN true AS found`,
);

const REFUND_STATE = cypher<{ refundedAt: number | null }>(
  'refund.state',
  `MATCH ()-[p:PURCHASED {orderId: $orderId}]->() RETURN p.refundedAt AS refundedAt`,
);

const MARK_REFUNDED = cypher<{ customerId: string }>(
  'refund.mark',
  `MATCH (c:Customer)-[p:PURCHASED {orderId: $orderId}]->()
   SET p.refundedAt = $at
   RETURN c.id AS customerId`,
);

// Uses the reward_order index. Rewards converted by this order whose hold has not passed at the refund.
const REWARDS_OF_ORDER = cypher<{ id: string }>(
  'refund.rewards',
  `MATCH (w:Reward {orderId: $orderId}) WHERE $at <= w.holdUntil RETURN w.id AS id ORDER BY w.id`,
);

export interface RefundRecord {
  orderId: string;
  customerId: string;
  refundedAt: number;
  revokedRewards: RewardRecord[];
}

/**
 * Records a refund of an order. Within the hold period it revokes the rewards the order converted, unless paid
 * (a paid reward stays PAID: clawing money back is outside the service; the refund still counts in ring scores).
 */
export async function recordRefund(tx: Tx, input: { orderId: string; at?: number | null }, actor: string, now: number): Promise<RefundRecord> {
  const orderId = checkId('orderId', input.orderId);
  const at = input.at ?? now;
  const [locked] = await tx.run(LOCK_ORDER, { orderId });
  if (!locked) throw notFound('orderId', `no purchase with order id "${orderId}".`);
  const [order] = await tx.run(REFUND_STATE, { orderId });
  if (order.refundedAt !== null) throw conflict('orderId', `order "${orderId}" is already refunded.`);
  const [{ customerId }] = await tx.run(MARK_REFUNDED, { orderId, at });
  const due = await tx.run(REWARDS_OF_ORDER, { orderId, at });
  const revokedRewards = await changeRewards(tx, due.map(({ id }) => ({ rewardId: id, to: 'REVOKED', actor, reason: `refund of order ${orderId}`, at: now })), false);
  return { orderId, customerId, refundedAt: at, revokedRewards };
}

