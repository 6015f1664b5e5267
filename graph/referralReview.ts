import { WRITE_LOCK } from './locks';
import { acceptReferral } from './membership';
import { approvedReferralEvents, emitEvents } from './outbox';
import { conflict, notFound } from './errors';
import { ReferralRecord } from './model';
import { cypher, Tx } from './neo4j';
import { REFERRAL_PROJECTION } from './referrals';
import { REWARDS_ON_CONVERSION } from './rewards';
import { checkId, checkText } from './validate';

// A community manager's decision on a HELD referral (graph/fraudRules.ts). A customer has at most one credited
// referral, held or not, so the invitee names it. The invitee is write-locked before its referral's status is
// read, as every writer that credits or converts into it does (a sign-up sets it, a purchase creates a
// relationship on it), so a decision and a purchase, or two managers, queue and the second sees the first.

const LOCK_INVITEE = cypher<{ status: string | null }>(
  'referralReview.lock',
  `MATCH (c:Customer {id: $inviteeId})
   ${WRITE_LOCK('c')}
   RETURN head(COLLECT { MATCH (:Customer)-[r:REFERRED]->(c) WHERE r.creditedInvitee IS NOT NULL RETURN r.status }) AS status`,
);

const CREDITED_STATUS = cypher<{ status: string }>(
  'referralReview.status',
  `MATCH (:Customer)-[r:REFERRED]->(:Customer {id: $inviteeId}) WHERE r.creditedInvitee IS NOT NULL RETURN r.status AS status`,
);

// Approved: SIGNED_UP, or CONVERTED when the invitee has bought since the sign-up (the purchase recorded while it
// was held), which creates the campaign's rewards as a conversion at that purchase would have.
const APPROVE = cypher<{ referral: ReferralRecord }>(
  'referralReview.approve',
  `MATCH (referrer:Customer)-[r:REFERRED]->(c:Customer {id: $inviteeId}) WHERE r.creditedInvitee IS NOT NULL AND r.status = 'HELD'
   SET r.status = CASE WHEN r.firstPurchaseAt IS NULL THEN 'SIGNED_UP' ELSE 'CONVERTED' END,
       r.reviewedAt = $now, r.reviewedBy = $actor, r.reviewNote = $note, r.reviewOutcome = 'APPROVED'
   WITH referrer, r, c
   ${REWARDS_ON_CONVERSION('r', 'referrer', 'c')}
   RETURN r ${REFERRAL_PROJECTION('r', 'referrer', 'c')} AS referral`,
);

// Rejected: the referral no longer credits anyone. It leaves the credited chain (no signedUpAt, no
// creditedInvitee) and keeps what it had under rejected* names for the record.
const REJECT = cypher<{ referral: ReferralRecord }>(
  'referralReview.reject',
  `MATCH (referrer:Customer)-[r:REFERRED]->(c:Customer {id: $inviteeId}) WHERE r.creditedInvitee IS NOT NULL AND r.status = 'HELD'
   SET r.status = 'REJECTED', r.rejectedSignedUpAt = r.signedUpAt, r.rejectedFirstPurchaseAt = r.firstPurchaseAt,
       r.reviewedAt = $now, r.reviewedBy = $actor, r.reviewNote = $note, r.reviewOutcome = 'REJECTED'
   REMOVE r.creditedInvitee, r.signedUpAt, r.firstPurchaseAt
   RETURN r ${REFERRAL_PROJECTION('r', 'referrer', 'c')} AS referral`,
);

export interface ReviewDecisionInput {
  inviteeId: string;
  note?: string | null;
}

async function decide(tx: Tx, input: ReviewDecisionInput, actor: string, now: number, approve: boolean): Promise<ReferralRecord> {
  const inviteeId = checkId('inviteeId', input.inviteeId);
  const note = checkText('note', input.note, 200) ?? null;
  const [locked] = await tx.run(LOCK_INVITEE, { inviteeId });
  if (!locked) throw notFound('inviteeId', `no customer with id "${inviteeId}".`);
  const [current] = await tx.run(CREDITED_STATUS, { inviteeId });
  if (!current) throw notFound('inviteeId', `customer "${inviteeId}" has no credited referral.`);
  if (current.status !== 'HELD') throw conflict('inviteeId', `the referral into "${inviteeId}" is ${current.status}, not HELD.`);
  const [row] = await tx.run(approve ? APPROVE : REJECT, { inviteeId, actor, note, now });
  if (approve) {
    // Approved, it counts as the credit it was held from being: in a launch campaign it admits or moves up.
    if (row.referral.campaignId) await acceptReferral(tx, row.referral.campaignId, row.referral.referrerId, inviteeId, now);
    await emitEvents(tx, approvedReferralEvents(row.referral));
  }
  return row.referral;
}

/** HELD → SIGNED_UP or CONVERTED (with its rewards). */
export const approveReferral = (tx: Tx, input: ReviewDecisionInput, actor: string, now: number) => decide(tx, input, actor, now, true);

/** HELD → REJECTED: no longer credited. */
export const rejectReferral = (tx: Tx, input: ReviewDecisionInput, actor: string, now: number) => decide(tx, input, actor, now, false);
