import type { RecordInviteInput, RecordReferralClickInput } from '../schema/generated/types';
import { checkCampaignOpen } from './campaigns';
import { conflict } from './errors';
import { ADVANCE_STAGE, ON_CREATE_CUSTOMER } from './customers';
import { ReferralRecord, TEXT_LIMITS } from './model';
import { cypher, Tx } from './neo4j';
import { checkNotCyclic, REFERRAL_PROJECTION, ReferralSource, resolveSource } from './referrals';
import { checkChannel, checkEmail, checkId, checkText } from './validate';

// Invites and clicks: the touches that sign-up attribution later chooses between.

const RECORD_TOUCH = cypher<{ referral: ReferralRecord }>(
  'referral.touch',
  `MATCH (referrer:Customer {id: $referrerId})
   MERGE (invitee:Customer {id: $invitee.id})
   ${ON_CREATE_CUSTOMER('invitee', '$at')}, invitee.name = $invitee.name, invitee.email = $invitee.email
   MERGE (referrer)-[r:REFERRED {campaign: $campaignId}]->(invitee)
   ON CREATE SET r.invitedAt = $at, r.status = 'INVITED', r.channel = $channel, r.code = $code
   SET r.code = coalesce(r.code, $code), r.channel = coalesce(r.channel, $channel),
       r.clickedAt = CASE WHEN $clicked AND r.clickedAt IS NULL THEN $at ELSE r.clickedAt END,
       r.status = CASE WHEN $clicked AND r.status = 'INVITED' THEN 'CLICKED' ELSE r.status END
   WITH referrer, invitee, r
   CALL (invitee) {
     WITH invitee WHERE $clicked
     ${ADVANCE_STAGE('invitee', 'INTERESTED')}
   }
   RETURN r ${REFERRAL_PROJECTION('r', 'referrer', 'invitee')} AS referral`,
);

const EMAIL_OWNER = cypher<{ id: string | null }>('customer.emailOwner', 'OPTIONAL MATCH (c:Customer {email: $email}) RETURN c.id AS id');

interface Invitee {
  id: string;
  name: string | null;
  email: string | null;
}

/** An invite (clicked = false) or a click on one; an invitee who is not yet a customer becomes a STRANGER. */
async function recordTouch(tx: Tx, inviteeField: string, source: ReferralSource, invitee: Invitee, channel: string | null, at: number, clicked: boolean) {
  checkCampaignOpen(source.code ? 'code' : 'campaignId', source.campaign, at);
  await checkNotCyclic(tx, inviteeField, source.referrerId, invitee.id);
  if (invitee.email) {
    const [owner] = await tx.run(EMAIL_OWNER, { email: invitee.email });
    if (owner.id !== null && owner.id !== invitee.id) throw conflict('invitee.email', 'another customer already has this email.');
  }
  const [row] = await tx.run(RECORD_TOUCH, { referrerId: source.referrerId, invitee, campaignId: source.campaign.id, channel, code: source.code, at, clicked });
  return row.referral;
}

export async function recordInvite(tx: Tx, input: RecordInviteInput, now: number): Promise<ReferralRecord> {
  const invitee = {
    id: checkId('invitee.id', input.invitee.id),
    name: checkText('invitee.name', input.invitee.name, TEXT_LIMITS.name) ?? null,
    email: checkEmail('invitee.email', input.invitee.email) ?? null,
  };
  const channel = checkChannel('channel', input.channel);
  const source = await resolveSource(tx, input);
  return recordTouch(tx, 'invitee.id', source, invitee, channel, input.at ?? now, false);
}

export async function recordReferralClick(tx: Tx, input: RecordReferralClickInput, now: number): Promise<ReferralRecord> {
  const inviteeId = checkId('inviteeId', input.inviteeId);
  const channel = input.channel ? checkChannel('channel', input.channel) : null;
  const source = await resolveSource(tx, input);
  return recordTouch(tx, 'inviteeId', source, { id: inviteeId, name: null, email: null }, channel, input.at ?? now, true);
}
