import type { HoldReason, RecordSignupInput } from '../schema/generated/types';
import { attributeSignup } from './attribution';
import { checkCampaignOpen, isLaunchCampaign } from './campaigns';
import { ADVANCE_STAGE, CUSTOMER_PROJECTION, ON_CREATE_CUSTOMER } from './customers';
import { conflict, conflictOn } from './errors';
import { judgeReferral } from './fraudRules';
import { HashedIdentifier, linkIdentifiers, parseIdentifiers } from './identifiers';
import { lockCustomers, LockKey } from './locks';
import { CustomerRecord, ReferralRecord, TEXT_LIMITS } from './model';
import { acceptReferral } from './membership';
import { cypher, Tx } from './neo4j';
import { spendInvitation } from './quotas';
import { emitEvents, signupEvents } from './outbox';
import { checkReferralEnds, cycleConflict, lockCreditChain, REFERRAL_PROJECTION, ReferralSource, resolveSource } from './referrals';
import { REWARDS_ON_CONVERSION } from './rewards';
import { checkEmail, checkId, checkText } from './validate';

// The statements take `$rows`: a single mutation sends one row, a batch (graph/batch) one row per event.
export const SIGNUP_STATE = cypher<{ index: number; signedUpAt: number | null; emailTaken: boolean }>(
  'signup.state',
  `UNWIND $rows AS row
   OPTIONAL MATCH (c:Customer {id: row.id})
   OPTIONAL MATCH (other:Customer {email: row.email}) WHERE other.id <> row.id
   RETURN row.index AS index, c.signedUpAt AS signedUpAt, other IS NOT NULL AS emailTaken`,
);

// A customer who signs up without having been invited or created before comes into being here, so that
// it can be locked like any other; MERGE on the unique id makes concurrent creators wait for the first.
export const ENSURE_CUSTOMER = cypher<{ index: number; key: LockKey }>(
  'signup.ensureCustomer',
  `UNWIND $rows AS row
   MERGE (c:Customer {id: row.id})
   ${ON_CREATE_CUSTOMER('c', 'row.at')}
   RETURN row.index AS index, elementId(c) AS key`,
);

export const SIGN_UP = cypher<{ index: number; customer: CustomerRecord }>(
  'signup.customer',
  `UNWIND $rows AS row
   MATCH (c:Customer {id: row.id})
   SET c.name = coalesce(row.name, c.name), c.email = coalesce(row.email, c.email), c.signedUpAt = row.at
   WITH row, c
   ${ADVANCE_STAGE('c', 'FAN')}
   RETURN row.index AS index, c ${CUSTOMER_PROJECTION} AS customer`,
);

// Credits one referral and rejects the other open ones into the same customer: one referrer per sign-up.
// `creditedInvitee` (the invitee's elementId, set only on the credited referral) is what the
// referred_credited_invitee constraint holds unique: one credited referral per invitee, whatever races.
// A referral the fraud rules hold (`row.holdReason`, graph/fraudRules.ts) is credited as HELD: it holds the
// invitee's credit (and its place in the chain) but converts only when approved.
// A purchase already recorded at or after the sign-up (backfilled history) converts the credit at once,
// on the earliest such purchase, as RECORD_PURCHASE in graph/commerce.ts would have; earlier purchases do not.
// A held referral records that purchase but stays HELD. A conversion creates the campaign's rewards.
export const CREDIT_REFERRAL = cypher<{ index: number; referral: ReferralRecord }>(
  'signup.credit',
  `UNWIND $rows AS row
   MATCH (referrer:Customer {id: row.referrerId}), (c:Customer {id: row.id})
   MERGE (referrer)-[r:REFERRED {campaign: row.campaignId}]->(c)
   ON CREATE SET r.invitedAt = row.at, r.channel = 'code'
   SET r.status = CASE WHEN row.holdReason IS NULL THEN 'SIGNED_UP' ELSE 'HELD' END, r.signedUpAt = row.at,
       r.code = coalesce(row.code, r.code), r.creditedInvitee = elementId(c),
       r.holdReason = row.holdReason, r.heldAt = CASE WHEN row.holdReason IS NULL THEN null ELSE row.at END, r.velocityCount = row.velocityCount
   WITH row, referrer, c, r
   CALL (c, r) {
     MATCH (:Customer)-[other:REFERRED]->(c)
     WHERE other <> r AND other.status IN ['INVITED', 'CLICKED']
     SET other.status = 'REJECTED'
   }
   CALL (c, r) {
     MATCH (c)-[p:PURCHASED]->() WHERE p.at >= r.signedUpAt
     WITH r, min(p.at) AS firstPurchaseAt
     SET r.status = CASE WHEN r.status = 'HELD' THEN 'HELD' ELSE 'CONVERTED' END, r.firstPurchaseAt = firstPurchaseAt
   }
   ${REWARDS_ON_CONVERSION('r', 'referrer', 'c')}
   RETURN row.index AS index, r ${REFERRAL_PROJECTION('r', 'referrer', 'c')} AS referral`,
);

export interface CreditRow extends Credit {
  index: number;
  id: string;
  at: number;
  holdReason: HoldReason | null;
  velocityCount: number | null;
}

/**
 * Writes the credits of a sign-up, or of a batch's sign-ups: the one place a referral becomes credited or HELD
 * (and, with a backfilled purchase, CONVERTED with its rewards), for the per-event and the batch path alike.
 */
export async function creditReferrals(tx: Tx, rows: readonly CreditRow[]): Promise<Map<number, ReferralRecord>> {
  if (rows.length === 0) return new Map();
  const written = await tx.run(CREDIT_REFERRAL, { rows });
  return new Map(written.map((row) => [row.index, row.referral]));
}

export interface SignupRecord {
  customer: CustomerRecord;
  referral: ReferralRecord | null;
}

export interface SignupRequest {
  id: string;
  email: string | null;
  name: string | null;
  at: number;
  code: string | null;
  /** Hashed here, at the edge of graph/: the raw values go no further. */
  identifiers: HashedIdentifier[];
}

export interface Credit {
  referrerId: string;
  campaignId: string;
  code: string | null;
  /** The campaign is invite-only or a waitlist: the credit admits or queues the invitee (graph/membership.ts). */
  launch: boolean;
}

export function parseSignup(input: RecordSignupInput, now: number): SignupRequest {
  const id = checkId('customerId', input.customerId);
  const email = checkEmail('email', input.email) ?? null;
  const name = checkText('name', input.name, TEXT_LIMITS.name) ?? null;
  const identifiers = parseIdentifiers('identifiers', input.identifiers);
  return { id, email, name, at: input.at ?? now, code: input.code || null, identifiers };
}

export function checkSignupState(state: { signedUpAt: number | null; emailTaken: boolean }, id: string): void {
  if (state.signedUpAt !== null) throw alreadySignedUp(id);
  if (state.emailTaken) throw emailTaken();
}

export const alreadySignedUp = (id: string) => conflict('customerId', `customer "${id}" has already signed up.`);
export const emailTaken = () => conflict('email', 'another customer already has this email.');

/** The rules on a code that need no chain: its campaign is open, and it is not the customer's own. */
export function checkCode(request: SignupRequest, source: ReferralSource): void {
  checkCampaignOpen('code', source.campaign, request.at);
  checkReferralEnds('code', source.referrerId, request.id, false);
}

/** A code credits its owner unless the customer is above it in the chain. */
export function creditByCode(request: SignupRequest, source: ReferralSource, closesCycle: boolean): Credit {
  if (closesCycle) throw cycleConflict('code', source.referrerId, request.id);
  return { referrerId: source.referrerId, campaignId: source.campaign.id, code: source.code, launch: isLaunchCampaign(source.campaign) };
}

/**
 * A customer signs up once; a code credits its owner, otherwise attribution picks among open touches.
 * Under concurrency: the invitee (and, with a code, the credited chain above its owner) is write-locked
 * before the state that decides is read, so concurrent sign-ups of one customer queue and all but the
 * first see it signed up; the constraints on email and on the credited referral are the backstop.
 */
export async function recordSignup(tx: Tx, input: RecordSignupInput, now: number): Promise<SignupRecord> {
  const request = parseSignup(input, now);
  const { id, at } = request;
  const state = { rows: [{ index: 0, id, email: request.email }] };
  // Read once without locks to refuse the common repeat early; read again under the locks, where it counts.
  checkSignupState((await tx.run(SIGNUP_STATE, state))[0], id);

  const source = request.code ? await resolveSource(tx, { code: request.code }) : null;
  if (source) checkCode(request, source);
  const [invitee] = await tx.run(ENSURE_CUSTOMER, { rows: [{ index: 0, id, at }] });
  // With a code: the invitee and the chain above the code's owner, in one sorted set. Without one: the
  // invitee alone; attributeSignup then locks each candidate's chain before judging it.
  let closesCycle = false;
  if (source) closesCycle = await lockCreditChain(tx, source.referrerId, id);
  else await lockCustomers(tx, [invitee.key]);
  checkSignupState((await tx.run(SIGNUP_STATE, state))[0], id);

  let credited: Credit | null = null;
  if (source) {
    credited = creditByCode(request, source, closesCycle);
    // A sign-up by code that no invite preceded is a new referral: in an invite-only campaign it spends an invitation.
    await spendInvitation(tx, 'code', source.campaign, source.referrerId, id);
  } else {
    const candidate = await attributeSignup(tx, id, at);
    if (candidate) credited = { referrerId: candidate.referrerId, campaignId: candidate.campaignId, code: null, launch: candidate.launch };
  }
  const [row] = await conflictOn('email', emailTaken().message, () => tx.run(SIGN_UP, { rows: [{ ...request, index: 0 }] }));
  await linkIdentifiers(tx, [{ customerId: id, at, identifiers: request.identifiers }]);
  if (!credited) {
    await emitEvents(tx, signupEvents(id, null));
    return { customer: row.customer, referral: null };
  }
  // The referrer is locked (lockCreditChain, directly or through attributeSignup): the rules read under it.
  const hold = await judgeReferral(tx, credited.referrerId, id, at);
  const creditRow = { ...credited, id, at, index: 0, holdReason: hold?.reason ?? null, velocityCount: hold?.velocityCount ?? null };
  const referrals = await conflictOn('customerId', alreadySignedUp(id).message, () => creditReferrals(tx, [creditRow]));
  // A held referral admits nobody and moves nobody up a waitlist: that is what a farmed referral would be after.
  if (credited.launch && !hold) await acceptReferral(tx, credited.campaignId, credited.referrerId, id, at);
  const referral = referrals.get(0)!;
  await emitEvents(tx, signupEvents(id, referral));
  return { customer: row.customer, referral };
}
