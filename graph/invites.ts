import type { RecordInviteInput, RecordReferralClickInput } from '../schema/generated/types';
import { checkCampaignOpen } from './campaigns';
import { conflict } from './errors';
import { ADVANCE_STAGE, ON_CREATE_CUSTOMER } from './customers';
import { ReferralRecord, TEXT_LIMITS } from './model';
import { cypher, Tx } from './neo4j';
import { spendInvitation } from './quotas';
import { checkReferralEnds, parseSource, REFERRAL_PROJECTION, ReferralSource, resolveSource, SourceRequest, wouldCloseCycle } from './referrals';
import { checkChannel, checkEmail, checkId, checkText } from './validate';

// Invites and clicks: the touches that sign-up attribution later chooses between.
// The statements take `$rows`: a single mutation sends one row, a batch (graph/batch) one row per event.

export const RECORD_TOUCH = cypher<{ index: number; referral: ReferralRecord }>(
  'referral.touch',
  `UNWIND $rows AS row
   MATCH (referrer:Customer {id: row.referrerId})
   MERGE (invitee:Customer {id: row.invitee.id})
   ${ON_CREATE_CUSTOMER('invitee', 'row.at')}, invitee.name = row.invitee.name, invitee.email = row.invitee.email
   MERGE (referrer)-[r:REFERRED {campaign: row.campaignId}]->(invitee)
   ON CREATE SET r.invitedAt = row.at, r.status = 'INVITED', r.channel = row.channel, r.code = row.code
   SET r.code = coalesce(r.code, row.code), r.channel = coalesce(r.channel, row.channel),
       r.clickedAt = CASE WHEN row.clicked AND r.clickedAt IS NULL THEN row.at ELSE r.clickedAt END,
       r.status = CASE WHEN row.clicked AND r.status = 'INVITED' THEN 'CLICKED' ELSE r.status END
   WITH row, referrer, invitee, r
   CALL (row, invitee) {
     WITH invitee WHERE row.clicked
     ${ADVANCE_STAGE('invitee', 'INTERESTED')}
   }
   RETURN row.index AS index, r ${REFERRAL_PROJECTION('r', 'referrer', 'invitee')} AS referral`,
);

export const EMAIL_OWNER = cypher<{ index: number; id: string | null }>(
  'customer.emailOwner',
  'UNWIND $rows AS row OPTIONAL MATCH (c:Customer {email: row.email}) RETURN row.index AS index, c.id AS id',
);

interface Invitee {
  id: string;
  name: string | null;
  email: string | null;
}

/** An invite (clicked = false) or a click on one, checked without the database. */
export interface TouchRequest {
  inviteeField: string;
  invitee: Invitee;
  channel: string | null;
  source: SourceRequest;
  at: number;
  clicked: boolean;
}

export interface TouchRow {
  referrerId: string;
  invitee: Invitee;
  campaignId: string;
  channel: string | null;
  code: string | null;
  at: number;
  clicked: boolean;
}

export function parseInvite(input: RecordInviteInput, now: number): TouchRequest {
  const invitee = {
    id: checkId('invitee.id', input.invitee.id),
    name: checkText('invitee.name', input.invitee.name, TEXT_LIMITS.name) ?? null,
    email: checkEmail('invitee.email', input.invitee.email) ?? null,
  };
  const channel = checkChannel('channel', input.channel);
  return { inviteeField: 'invitee.id', invitee, channel, source: parseSource(input), at: input.at ?? now, clicked: false };
}

export function parseClick(input: RecordReferralClickInput, now: number): TouchRequest {
  const inviteeId = checkId('inviteeId', input.inviteeId);
  const channel = input.channel ? checkChannel('channel', input.channel) : null;
  return { inviteeField: 'inviteeId', invitee: { id: inviteeId, name: null, email: null }, channel, source: parseSource(input), at: input.at ?? now, clicked: true };
}

/**
 * The rules on the stored graph, in order: the campaign is open, the invitee is neither the referrer nor
 * above it in the chain (`closesCycle` says whether it is above), and a new email belongs to nobody else.
 */
export function checkTouch(request: TouchRequest, source: ReferralSource, closesCycle: boolean, emailOwner: string | null): TouchRow {
  checkCampaignOpen(source.code ? 'code' : 'campaignId', source.campaign, request.at);
  const { invitee } = request;
  checkReferralEnds(request.inviteeField, source.referrerId, invitee.id, closesCycle);
  if (invitee.email && emailOwner !== null && emailOwner !== invitee.id) throw conflict('invitee.email', 'another customer already has this email.');
  return { referrerId: source.referrerId, invitee, campaignId: source.campaign.id, channel: request.channel, code: source.code, at: request.at, clicked: request.clicked };
}

/** An invitee who is not yet a customer becomes a STRANGER. */
async function recordTouch(tx: Tx, request: TouchRequest): Promise<ReferralRecord> {
  const source = await resolveSource(tx, request.source);
  const { invitee } = request;
  const closesCycle = source.referrerId !== invitee.id && (await wouldCloseCycle(tx, source.referrerId, invitee.id));
  const [owner] = invitee.email ? await tx.run(EMAIL_OWNER, { rows: [{ index: 0, email: invitee.email }] }) : [{ id: null }];
  const row = checkTouch(request, source, closesCycle, owner.id);
  await spendInvitation(tx, source.code ? 'code' : 'referrerId', source.campaign, source.referrerId, invitee.id);
  const [written] = await tx.run(RECORD_TOUCH, { rows: [{ ...row, index: 0 }] });
  return written.referral;
}

export async function recordInvite(tx: Tx, input: RecordInviteInput, now: number): Promise<ReferralRecord> {
  return recordTouch(tx, parseInvite(input, now));
}

export async function recordReferralClick(tx: Tx, input: RecordReferralClickInput, now: number): Promise<ReferralRecord> {
  return recordTouch(tx, parseClick(input, now));
}
