import { CAMPAIGN_PROJECTION, isLaunchCampaign } from './campaigns';
import { notFound } from './errors';
import { WRITE_LOCK } from './locks';
import { CampaignRecord } from './model';
import { cypher, Tx } from './neo4j';

// A customer's place in an invite-only or waitlist campaign is one node:
//   (:Customer)-[:HOLDS]->(m:Membership {key, campaignId, status, …})-[:IN]->(:Campaign)
// `key` is the campaign id and the customer's elementId (unique: membership_key), so a customer has one
// place per campaign and the node carries no personal data (erasure rewrites Customer.id, not elementIds).
//
//   status      WAITING (on the waitlist) or MEMBER (admitted)
//   seq, score  waitlist join number (per campaign, from campaign.waitlistSeq) and sort score: seq minus
//   credits     moveUpPerReferral per referral credited while waiting (credits); the position is a rank (graph/waitlist.ts)
//   quota       invitations set for this member alone (admitMembers); null: the campaign's inviteQuota
//   spent       invitations spent as a MEMBER (graph/quotas.ts)
//   origin      FOUNDER (admitMembers), WAVE (admitWave) or INVITE (an accepted invite); null while waiting
//   generation  0 for the admitted, the inviter's + 1 for a member brought in by an invite
//   rootWave    the wave whose chain the member belongs to (0: the founders); wave: the wave that admitted them
//
// Lock order, so writers queue rather than deadlock: the campaign node (every creation of a membership and
// every wave takes it), then the memberships. Invites take only the inviter's membership.

export type MembershipStatus = 'WAITING' | 'MEMBER';

export interface MembershipState {
  status: MembershipStatus;
  quota: number | null;
  spent: number;
  generation: number | null;
  rootWave: number | null;
}

export const MEMBERSHIP_STATE_PROJECTION = (m: string) =>
  `{status: ${m}.status, quota: ${m}.quota, spent: ${m}.spent, generation: ${m}.generation, rootWave: ${m}.rootWave}`;

// WRITE_LOCK takes the node's write lock and changes nothing (see graph/locks.ts). The settings are read in the
// statement after the lock, so they are the latest committed.
const LOCK_CAMPAIGN = cypher<{ id: string }>(
  'launch.lockCampaign',
  `MATCH (campaign:Campaign {id: $campaignId}) ${WRITE_LOCK('campaign')} RETURN campaign.id AS id`,
);

const CAMPAIGN_STATE = cypher<{ campaign: CampaignRecord; waitlistSeq: number; waveCount: number; lastWaveSize: number | null }>(
  'launch.campaignState',
  `MATCH (campaign:Campaign {id: $campaignId})
   RETURN campaign ${CAMPAIGN_PROJECTION} AS campaign, coalesce(campaign.waitlistSeq, 0) AS waitlistSeq,
          coalesce(campaign.waveCount, 0) AS waveCount, campaign.lastWaveSize AS lastWaveSize`,
);

/** Write-locks the campaign node and returns its settings and counters as committed now; NOT_FOUND `field` when unknown. */
export async function lockCampaign(tx: Tx, field: string, campaignId: string) {
  const [locked] = await tx.run(LOCK_CAMPAIGN, { campaignId });
  if (!locked) throw notFound(field, `no campaign with id "${campaignId}".`);
  const [state] = await tx.run(CAMPAIGN_STATE, { campaignId });
  return state;
}

export async function readCampaignState(tx: Tx, field: string, campaignId: string) {
  const [state] = await tx.run(CAMPAIGN_STATE, { campaignId });
  if (!state) throw notFound(field, `no campaign with id "${campaignId}".`);
  return state;
}

const LOCK_MEMBERSHIP = cypher<{ locked: boolean }>(
  'launch.lockMembership',
  `MATCH (:Customer {id: $customerId})-[:HOLDS]->(m:Membership {campaignId: $campaignId})
   ${WRITE_LOCK('m')}
   RETURN true AS locked`,
);

const MEMBERSHIP_OF = cypher<{ state: MembershipState }>(
  'launch.membershipOf',
  `MATCH (:Customer {id: $customerId})-[:HOLDS]->(m:Membership {campaignId: $campaignId})
   RETURN m ${MEMBERSHIP_STATE_PROJECTION('m')} AS state`,
);

/** Write-locks a customer's membership in a campaign and returns it as committed now; null when they have none. */
export async function lockMembership(tx: Tx, campaignId: string, customerId: string): Promise<MembershipState | null> {
  const [locked] = await tx.run(LOCK_MEMBERSHIP, { campaignId, customerId });
  if (!locked) return null;
  return (await tx.run(MEMBERSHIP_OF, { campaignId, customerId }))[0].state;
}

export async function membershipOf(tx: Tx, campaignId: string, customerId: string): Promise<MembershipState | null> {
  return (await tx.run(MEMBERSHIP_OF, { campaignId, customerId }))[0]?.state ?? null;
}

// Joins the waitlist under the campaign's lock: the next join number, which nobody else can take meanwhile.
export const JOIN_WAITLIST = cypher<{ seq: number }>(
  'launch.joinWaitlist',
  `MATCH (campaign:Campaign {id: $campaignId}), (c:Customer {id: $customerId})
   SET campaign.waitlistSeq = coalesce(campaign.waitlistSeq, 0) + 1
   WITH campaign, c, campaign.waitlistSeq AS seq
   CREATE (c)-[:HOLDS]->(m:Membership {key: campaign.id + '|' + elementId(c), campaignId: campaign.id, status: 'WAITING',
           seq: seq, score: seq, credits: 0, spent: 0, joinedAt: $at})-[:IN]->(campaign)
   RETURN seq`,
);

const ADMIT_INVITEE = cypher(
  'launch.admitInvitee',
  `MATCH (campaign:Campaign {id: $campaignId}), (c:Customer {id: $customerId})
   CREATE (c)-[:HOLDS]->(m:Membership {key: campaign.id + '|' + elementId(c), campaignId: campaign.id, status: 'MEMBER',
           spent: 0, joinedAt: $at, admittedAt: $at, origin: 'INVITE', generation: $generation, rootWave: $rootWave})-[:IN]->(campaign)`,
);

const MOVE_UP = cypher(
  'launch.moveUp',
  `MATCH (:Customer {id: $customerId})-[:HOLDS]->(m:Membership {campaignId: $campaignId, status: 'WAITING'})
   SET m.score = m.score - $places, m.credits = coalesce(m.credits, 0) + 1`,
);

/**
 * After a sign-up credited `referrerId` with `inviteeId` in a campaign: in an invite-only campaign an
 * invite accepted from a MEMBER admits the invitee as a member (with the campaign's quota), one
 * generation below the inviter; otherwise, in a waitlist campaign, the invitee joins the waitlist. A
 * WAITING referrer moves up `moveUpPerReferral` places. Nothing happens in other campaigns.
 */
export async function acceptReferral(tx: Tx, campaignId: string, referrerId: string, inviteeId: string, at: number): Promise<void> {
  const { campaign } = await readCampaignState(tx, 'campaignId', campaignId);
  if (!isLaunchCampaign(campaign)) return;
  await lockCampaign(tx, 'campaignId', campaignId);
  const referrer = await lockMembership(tx, campaignId, referrerId);
  const invitee = await membershipOf(tx, campaignId, inviteeId);
  if (!invitee) {
    if (campaign.inviteQuota != null && referrer?.status === 'MEMBER') {
      await tx.run(ADMIT_INVITEE, { campaignId, customerId: inviteeId, at, generation: (referrer.generation ?? 0) + 1, rootWave: referrer.rootWave ?? 0 });
    } else if (campaign.waitlist) {
      await tx.run(JOIN_WAITLIST, { campaignId, customerId: inviteeId, at });
    }
  }
  if (campaign.waitlist && referrer?.status === 'WAITING') await tx.run(MOVE_UP, { campaignId, customerId: referrerId, places: campaign.moveUpPerReferral ?? 0 });
}
