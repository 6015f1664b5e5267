import type { RecordSignupInput } from '../schema/generated/types';
import { attributeSignup } from './attribution';
import { checkCampaignOpen } from './campaigns';
import { ADVANCE_STAGE, CUSTOMER_PROJECTION, ON_CREATE_CUSTOMER } from './customers';
import { conflict } from './errors';
import { CustomerRecord, ReferralRecord, TEXT_LIMITS } from './model';
import { cypher, Tx } from './neo4j';
import { checkNotCyclic, REFERRAL_PROJECTION, resolveSource } from './referrals';
import { checkEmail, checkId, checkText } from './validate';

const SIGNUP_STATE = cypher<{ signedUpAt: number | null; emailTaken: boolean }>(
  'signup.state',
  `OPTIONAL MATCH (c:Customer {id: $id})
   OPTIONAL MATCH (other:Customer {email: $email}) WHERE other.id <> $id
   RETURN c.signedUpAt AS signedUpAt, other IS NOT NULL AS emailTaken`,
);

const SIGN_UP = cypher<{ customer: CustomerRecord }>(
  'signup.customer',
  `MERGE (c:Customer {id: $id})
   ${ON_CREATE_CUSTOMER('c', '$at')}
   SET c.name = coalesce($name, c.name), c.email = coalesce($email, c.email), c.signedUpAt = $at
   WITH c
   ${ADVANCE_STAGE('c', 'FAN')}
   RETURN c ${CUSTOMER_PROJECTION} AS customer`,
);

// Credits one referral and rejects the other open ones into the same customer: one referrer per sign-up.
// A purchase already recorded at or after the sign-up (backfilled history) converts the credit at once,
// on the earliest such purchase, as RECORD_PURCHASE in graph/commerce.ts would have; earlier purchases do not.
const CREDIT_REFERRAL = cypher<{ referral: ReferralRecord }>(
  'signup.credit',
  `MATCH (referrer:Customer {id: $referrerId}), (c:Customer {id: $id})
   MERGE (referrer)-[r:REFERRED {campaign: $campaignId}]->(c)
   ON CREATE SET r.invitedAt = $at, r.channel = 'code'
   SET r.status = 'SIGNED_UP', r.signedUpAt = $at, r.code = coalesce($code, r.code)
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

/** A customer signs up once; a code credits its owner, otherwise attribution picks among open touches. */
export async function recordSignup(tx: Tx, input: RecordSignupInput, now: number): Promise<SignupRecord> {
  const id = checkId('customerId', input.customerId);
  const email = checkEmail('email', input.email) ?? null;
  const name = checkText('name', input.name, TEXT_LIMITS.name) ?? null;
  const at = input.at ?? now;
  const [state] = await tx.run(SIGNUP_STATE, { id, email });
  if (state.signedUpAt !== null) throw conflict('customerId', `customer "${id}" has already signed up.`);
  if (state.emailTaken) throw conflict('email', 'another customer already has this email.');

  let credited: { referrerId: string; campaignId: string; code: string | null } | null = null;
  if (input.code) {
    const source = await resolveSource(tx, { code: input.code });
    checkCampaignOpen('code', source.campaign, at);
    await checkNotCyclic(tx, 'code', source.referrerId, id);
    credited = { referrerId: source.referrerId, campaignId: source.campaign.id, code: input.code };
  } else {
    const candidate = await attributeSignup(tx, id, at);
    if (candidate) credited = { referrerId: candidate.referrerId, campaignId: candidate.campaignId, code: null };
  }
  const [row] = await tx.run(SIGN_UP, { id, name, email, at });
  if (!credited) return { customer: row.customer, referral: null };
  const [referral] = await tx.run(CREDIT_REFERRAL, { ...credited, id, at });
  return { customer: row.customer, referral: referral.referral };
}
