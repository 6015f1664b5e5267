import type { RecordSignupInput } from '../schema/generated/types';
import { attributeSignup } from './attribution';
import { checkCampaignOpen } from './campaigns';
import { ADVANCE_STAGE, CUSTOMER_PROJECTION, ON_CREATE_CUSTOMER } from './customers';
import { conflict, conflictOn } from './errors';
import { lockCustomers, LockKey } from './locks';
import { CustomerRecord, ReferralRecord, TEXT_LIMITS } from './model';
import { cypher, Tx } from './neo4j';
import { emitEvents, signupEvents } from './outbox';
import { checkReferralEnds, cycleConflict, lockCreditChain, REFERRAL_PROJECTION, ReferralSource, resolveSource } from './referrals';
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
// A purchase already recorded at or after the sign-up (backfilled history) converts the credit at once,
// on the earliest such purchase, as RECORD_PURCHASE in graph/commerce.ts would have; earlier purchases do not.
export const CREDIT_REFERRAL = cypher<{ index: number; referral: ReferralRecord }>(
  'signup.credit',
  `UNWIND $rows AS row
   MATCH (referrer:Customer {id: row.referrerId}), (c:Customer {id: row.id})
   MERGE (referrer)-[r:REFERRED {campaign: row.campaignId}]->(c)
   ON CREATE SET r.invitedAt = row.at, r.channel = 'code'
   SET r.status = 'SIGNED_UP', r.signedUpAt = row.at, r.code = coalesce(row.code, r.code), r.creditedInvitee = elementId(c)
   WITH row, referrer, c, r
   CALL (c, r) {
     MATCH (:Customer)-[other:REFERRED]->(c)
     WHERE other <> r AND other.status IN ['INVITED', 'CLICKED']
     SET other.status = 'REJECTED'
   }
   CALL (c, r) {
     MATCH (c)-[p:PURCHASED]->() WHERE p.at >= r.signedUpAt
     WITH r, min(p.at) AS firstPurchaseAt
     SET r.status = 'CONVERTED', r.firstPurchaseAt = firstPurchaseAt
   }
   RETURN row.index AS index, r ${REFERRAL_PROJECTION('r', 'referrer', 'c')} AS referral`,
);

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
}

export interface Credit {
  referrerId: string;
  campaignId: string;
  code: string | null;
}

export function parseSignup(input: RecordSignupInput, now: number): SignupRequest {
  const id = checkId('customerId', input.customerId);
  const email = checkEmail('email', input.email) ?? null;
  const name = checkText('name', input.name, TEXT_LIMITS.name) ?? null;
  return { id, email, name, at: input.at ?? now, code: input.code || null };
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
  return { referrerId: source.referrerId, campaignId: source.campaign.id, code: source.code };
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
  } else {
    const candidate = await attributeSignup(tx, id, at);
    if (candidate) credited = { referrerId: candidate.referrerId, campaignId: candidate.campaignId, code: null };
  }
  const [row] = await conflictOn('email', emailTaken().message, () => tx.run(SIGN_UP, { rows: [{ ...request, index: 0 }] }));
  if (!credited) {
    await emitEvents(tx, signupEvents(id, null));
    return { customer: row.customer, referral: null };
  }
  const [referral] = await conflictOn('customerId', alreadySignedUp(id).message, () => tx.run(CREDIT_REFERRAL, { rows: [{ ...credited, id, at, index: 0 }] }));
  await emitEvents(tx, signupEvents(id, referral.referral));
  return { customer: row.customer, referral: referral.referral };
}
