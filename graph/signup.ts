import type { RecordSignupInput } from '../schema/generated/types';
import { attributeSignup } from './attribution';
import { checkCampaignOpen } from './campaigns';
import { ADVANCE_STAGE, CUSTOMER_PROJECTION, ON_CREATE_CUSTOMER } from './customers';
import { badInput, conflict, conflictOn } from './errors';
import { lockCustomers, LockKey } from './locks';
import { CustomerRecord, ReferralRecord, TEXT_LIMITS } from './model';
import { cypher, Tx } from './neo4j';
import { cycleConflict, lockCreditChain, REFERRAL_PROJECTION, ReferralSource, resolveSource } from './referrals';
import { checkEmail, checkId, checkText } from './validate';

const SIGNUP_STATE = cypher<{ signedUpAt: number | null; emailTaken: boolean }>(
  'signup.state',
  `OPTIONAL MATCH (c:Customer {id: $id})
   OPTIONAL MATCH (other:Customer {email: $email}) WHERE other.id <> $id
   RETURN c.signedUpAt AS signedUpAt, other IS NOT NULL AS emailTaken`,
);

// A customer who signs up without having been invited or created before comes into being here, so that
// it can be locked like any other; MERGE on the unique id makes concurrent creators wait for the first.
const ENSURE_CUSTOMER = cypher<{ key: LockKey }>(
  'signup.ensureCustomer',
  `MERGE (c:Customer {id: $id})
   ${ON_CREATE_CUSTOMER('c', '$at')}
   RETURN elementId(c) AS key`,
);

const SIGN_UP = cypher<{ customer: CustomerRecord }>(
  'signup.customer',
  `MATCH (c:Customer {id: $id})
   SET c.name = coalesce($name, c.name), c.email = coalesce($email, c.email), c.signedUpAt = $at
   WITH c
   ${ADVANCE_STAGE('c', 'FAN')}
   RETURN c ${CUSTOMER_PROJECTION} AS customer`,
);

// Credits one referral and rejects the other open ones into the same customer: one referrer per sign-up.
// `creditedInvitee` (the invitee's elementId, set only on the credited referral) is what the
// referred_credited_invitee constraint holds unique: one credited referral per invitee, whatever races.
// A purchase already recorded at or after the sign-up (backfilled history) converts the credit at once,
// on the earliest such purchase, as RECORD_PURCHASE in graph/commerce.ts would have; earlier purchases do not.
const CREDIT_REFERRAL = cypher<{ referral: ReferralRecord }>(
  'signup.credit',
  `MATCH (referrer:Customer {id: $referrerId}), (c:Customer {id: $id})
   MERGE (referrer)-[r:REFERRED {campaign: $campaignId}]->(c)
   ON CREATE SET r.invitedAt = $at, r.channel = 'code'
   SET r.status = 'SIGNED_UP', r.signedUpAt = $at, r.code = coalesce($code, r.code), r.creditedInvitee = elementId(c)
   WITH referrer, c, r
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
   RETURN r ${REFERRAL_PROJECTION('r', 'referrer', 'c')} AS referral`,
);

export interface SignupRecord {
  customer: CustomerRecord;
  referral: ReferralRecord | null;
}

function checkSignupState(state: { signedUpAt: number | null; emailTaken: boolean }, id: string) {
  if (state.signedUpAt !== null) throw alreadySignedUp(id);
  if (state.emailTaken) throw emailTaken();
}

const alreadySignedUp = (id: string) => conflict('customerId', `customer "${id}" has already signed up.`);
const emailTaken = () => conflict('email', 'another customer already has this email.');

/**
 * A customer signs up once; a code credits its owner, otherwise attribution picks among open touches.
 * Under concurrency: the invitee (and, with a code, the credited chain above its owner) is write-locked
 * before the state that decides is read, so concurrent sign-ups of one customer queue and all but the
 * first see it signed up; the constraints on email and on the credited referral are the backstop.
 */
export async function recordSignup(tx: Tx, input: RecordSignupInput, now: number): Promise<SignupRecord> {
  const id = checkId('customerId', input.customerId);
  const email = checkEmail('email', input.email) ?? null;
  const name = checkText('name', input.name, TEXT_LIMITS.name) ?? null;
  const at = input.at ?? now;
  // Read once without locks to refuse the common repeat early; read again under the locks, where it counts.
  checkSignupState((await tx.run(SIGNUP_STATE, { id, email }))[0], id);

  let source: ReferralSource | null = null;
  if (input.code) {
    source = await resolveSource(tx, { code: input.code });
    checkCampaignOpen('code', source.campaign, at);
    if (source.referrerId === id) throw badInput('code', 'a customer cannot refer themselves.');
  }
  const [invitee] = await tx.run(ENSURE_CUSTOMER, { id, at });
  // With a code: the invitee and the chain above the code's owner, in one sorted set. Without one: the
  // invitee alone; attributeSignup then locks each candidate's chain before judging it.
  let closesCycle = false;
  if (source) closesCycle = await lockCreditChain(tx, source.referrerId, id);
  else await lockCustomers(tx, [invitee.key]);
  checkSignupState((await tx.run(SIGNUP_STATE, { id, email }))[0], id);

  let credited: { referrerId: string; campaignId: string; code: string | null } | null = null;
  if (source) {
    if (closesCycle) throw cycleConflict('code', source.referrerId, id);
    credited = { referrerId: source.referrerId, campaignId: source.campaign.id, code: source.code };
  } else {
    const candidate = await attributeSignup(tx, id, at);
    if (candidate) credited = { referrerId: candidate.referrerId, campaignId: candidate.campaignId, code: null };
  }
  const [row] = await conflictOn('email', emailTaken().message, () => tx.run(SIGN_UP, { id, name, email, at }));
  if (!credited) return { customer: row.customer, referral: null };
  const [referral] = await conflictOn('customerId', alreadySignedUp(id).message, () => tx.run(CREDIT_REFERRAL, { ...credited, id, at }));
  return { customer: row.customer, referral: referral.referral };
}
