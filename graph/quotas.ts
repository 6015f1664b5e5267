import type { AdmitMembersInput } from '../schema/generated/types';
import { isLaunchCampaign } from './campaigns';
import { badInput, notFound, quotaExceeded, withinField } from './errors';
import { lockCampaign, lockMembership } from './membership';
import { CampaignRecord } from './model';
import { cypher, Graph, Tx } from './neo4j';
import { checkId, checkIntRange } from './validate';

// Invitation quotas of invite-only campaigns (campaign.inviteQuota set).
//
// A member holds quota + earned − spent invitations: quota is their own (admitMembers) or the campaign's
// inviteQuota; earned is earnedInvitesPerConvertedInvitee for each of their credited invitees in the campaign
// who has made a first purchase (CONVERTED), counted when they next invite, so a later change of that
// setting applies to past conversions too; spent counts the new referrals they made as a member.
//
// Every new referral (inviter, invitee, campaign) in such a campaign spends one invitation: an invite, a
// click that no invite preceded, a sign-up by code that no invite preceded. Inviting the same person again
// spends nothing. A WAITING customer of a waitlist campaign refers for free (that is how they move up);
// someone with no place in the campaign holds no invitations.
//
// Under concurrency: the inviter's membership node is write-locked before its state is read, and the
// decrement is written in the same transaction, so concurrent invites from one member queue on that
// lock and each sees the spends committed before it; twenty concurrent invites with three left admit three.

// What decides a spend, read under the membership's lock.
const INVITATION_STATE = cypher<{ status: string; quota: number | null; spent: number; converted: number; alreadyReferred: boolean }>(
  'quota.state',
  `MATCH (c:Customer {id: $referrerId})-[:HOLDS]->(m:Membership {campaignId: $campaignId})
   RETURN m.status AS status, m.quota AS quota, m.spent AS spent,
          COUNT { (c)-[r:REFERRED {campaign: $campaignId}]->() WHERE r.status = 'CONVERTED' } AS converted,
          EXISTS { (c)-[:REFERRED {campaign: $campaignId}]->(:Customer {id: $inviteeId}) } AS alreadyReferred`,
);

const SPEND = cypher(
  'quota.spend',
  `MATCH (:Customer {id: $referrerId})-[:HOLDS]->(m:Membership {campaignId: $campaignId})
   SET m.spent = m.spent + 1`,
);

/** Invitations a member holds in all: their quota and what they earned. */
export const invitationsGranted = (campaign: CampaignRecord, quota: number | null, converted: number) =>
  (quota ?? campaign.inviteQuota ?? 0) + (campaign.earnedInvitesPerConvertedInvitee ?? 0) * converted;

/**
 * Before a new referral from `referrerId` to `inviteeId` in `campaign` is written: in an invite-only
 * campaign, spends one of the referrer's invitations, or refuses with QUOTA_EXCEEDED naming `field`.
 */
export async function spendInvitation(tx: Tx, field: string, campaign: CampaignRecord, referrerId: string, inviteeId: string): Promise<void> {
  if (campaign.inviteQuota == null) return;
  const membership = await lockMembership(tx, campaign.id, referrerId);
  if (!membership) {
    throw quotaExceeded(field, `"${referrerId}" holds no invitations in invite-only campaign "${campaign.id}": only its members invite (admitMembers, admitWave, or an accepted invite).`);
  }
  const [state] = await tx.run(INVITATION_STATE, { referrerId, inviteeId, campaignId: campaign.id });
  if (state.alreadyReferred || state.status === 'WAITING') return;
  const granted = invitationsGranted(campaign, state.quota, state.converted);
  if (state.spent >= granted) {
    throw quotaExceeded(field, `"${referrerId}" has used all ${granted} invitations in campaign "${campaign.id}".`);
  }
  await tx.run(SPEND, { referrerId, campaignId: campaign.id });
}

const INVITATIONS_LEFT = cypher<{ status: string; quota: number | null; spent: number; converted: number }>(
  'quota.left',
  `MATCH (c:Customer {id: $customerId})-[:HOLDS]->(m:Membership {campaignId: $campaignId})
   RETURN m.status AS status, m.quota AS quota, m.spent AS spent,
          COUNT { (c)-[r:REFERRED {campaign: $campaignId}]->() WHERE r.status = 'CONVERTED' } AS converted`,
);

/** Invitations a member has left; null when the campaign's are unlimited or the customer is not a member. */
export async function invitationsLeft(tx: Tx, campaign: CampaignRecord, customerId: string): Promise<number | null> {
  if (campaign.inviteQuota == null) return null;
  const [state] = await tx.run(INVITATIONS_LEFT, { customerId, campaignId: campaign.id });
  if (!state || state.status !== 'MEMBER') return null;
  return Math.max(0, invitationsGranted(campaign, state.quota, state.converted) - state.spent);
}

export interface AdmitMembersRecord {
  campaignId: string;
  admittedCustomerIds: string[];
}

const EXISTING_CUSTOMERS = cypher<{ ids: string[] }>(
  'launch.existingCustomers',
  'UNWIND $ids AS id MATCH (c:Customer {id: id}) RETURN collect(c.id) AS ids',
);

// Founders: a new place, or a WAITING one, becomes a MEMBER of generation 0 in the founders' chain (rootWave 0).
// `admittedNow` is decided before the status is set.
const ADMIT_MEMBERS = cypher<{ id: string; admittedNow: boolean }>(
  'launch.admitMembers',
  `UNWIND range(0, size($ids) - 1) AS i
   WITH i, $ids[i] AS id
   MATCH (campaign:Campaign {id: $campaignId}), (c:Customer {id: id})
   MERGE (m:Membership {key: campaign.id + '|' + elementId(c)})
   ON CREATE SET m.campaignId = campaign.id, m.spent = 0, m.joinedAt = $at
   MERGE (c)-[:HOLDS]->(m)
   MERGE (m)-[:IN]->(campaign)
   WITH i, id, m, coalesce(m.status, 'NEW') <> 'MEMBER' AS admittedNow
   SET m.status = 'MEMBER',
       m.admittedAt = CASE WHEN admittedNow THEN $at ELSE m.admittedAt END,
       m.origin = CASE WHEN admittedNow THEN 'FOUNDER' ELSE m.origin END,
       m.generation = CASE WHEN admittedNow THEN 0 ELSE m.generation END,
       m.rootWave = CASE WHEN admittedNow THEN 0 ELSE m.rootWave END,
       m.spent = CASE WHEN admittedNow THEN 0 ELSE m.spent END,
       m.quota = CASE WHEN $quota IS NULL THEN m.quota ELSE $quota END
   RETURN id, admittedNow ORDER BY i`,
);

export const MAX_ADMIT_MEMBERS = 1000;

/**
 * Admits customers as members directly: the founders of an invite-only launch (who need a way in before
 * anyone can invite them), or sets a member's own quota. Idempotent: a member admitted again keeps their
 * place and spends, and gets the quota given.
 */
export async function admitMembers(graph: Graph, input: AdmitMembersInput, now = Date.now()): Promise<AdmitMembersRecord> {
  return withinField('input', async () => {
    const campaignId = checkId('campaignId', input.campaignId);
    if (input.customerIds.length === 0 || input.customerIds.length > MAX_ADMIT_MEMBERS) {
      throw badInput('customerIds', `customerIds must hold 1 to ${MAX_ADMIT_MEMBERS} ids; got ${input.customerIds.length}.`);
    }
    const ids = input.customerIds.map((id, index) => checkId(`customerIds[${index}]`, id));
    const quota = input.inviteQuota === null || input.inviteQuota === undefined ? null : checkIntRange('inviteQuota', input.inviteQuota, 0, 10_000);
    const at = input.at ?? now;
    return graph.writeTransaction(async (tx) => {
      const [{ ids: found }] = await tx.run(EXISTING_CUSTOMERS, { ids });
      const known = new Set(found);
      const missing = ids.findIndex((id) => !known.has(id));
      if (missing >= 0) throw notFound(`customerIds[${missing}]`, `no customer with id "${ids[missing]}".`);
      const { campaign } = await lockCampaign(tx, 'campaignId', campaignId);
      if (!isLaunchCampaign(campaign)) throw badInput('campaignId', `campaign "${campaignId}" is neither invite-only (inviteQuota) nor a waitlist.`);
      const rows = await tx.run(ADMIT_MEMBERS, { campaignId, ids: [...new Set(ids)], at, quota });
      return { campaignId, admittedCustomerIds: rows.filter((row) => row.admittedNow).map((row) => row.id) };
    });
  });
}
