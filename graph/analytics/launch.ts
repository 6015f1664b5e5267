import { CampaignRecord, HOUR_MS } from '../model';
import { readCampaignState } from '../membership';
import { cypher, Graph } from '../neo4j';
import { invitationsGranted } from '../quotas';
import { checkId } from '../validate';

// The launch report of an invite-only or waitlist campaign: for the whole campaign and for each cohort
// (the founders, wave 0, then each wave with every generation its members' invites brought in), invites
// spent against the quota, acceptance, time to accept, K-factor, the chains by generation, and the members
// who never invited. One read of the campaign's memberships and referrals; the figures are computed here.

export interface LaunchGenerationRow {
  generation: number;
  members: number;
  inviters: number;
  invitesSent: number;
  accepted: number;
  kFactor: number | null;
}

export interface LaunchCohortRow {
  wave: number | null;
  admittedAt: number | null;
  admitted: number;
  members: number;
  invitesGranted: number | null;
  invitesSpent: number;
  acceptedInvites: number;
  acceptanceRate: number | null;
  medianHoursToAcceptance: number | null;
  kFactor: number | null;
  neverInvitedShare: number | null;
  depth: number;
  generations: LaunchGenerationRow[];
}

export interface LaunchReportRecord {
  campaignId: string;
  waiting: number;
  overall: LaunchCohortRow;
  waves: LaunchCohortRow[];
}

interface MemberRow {
  id: string;
  status: string;
  quota: number | null;
  generation: number | null;
  rootWave: number | null;
  converted: number;
}

const MEMBERS = cypher<MemberRow>(
  'launch.reportMembers',
  `MATCH (c:Customer)-[:HOLDS]->(m:Membership {campaignId: $campaignId})
   RETURN c.id AS id, m.status AS status, m.quota AS quota, m.generation AS generation, m.rootWave AS rootWave,
          COUNT { (c)-[r:REFERRED {campaign: $campaignId}]->() WHERE r.status = 'CONVERTED' } AS converted`,
);

const REFERRALS = cypher<{ referrerId: string; invitedAt: number | null; signedUpAt: number | null }>(
  'launch.reportReferrals',
  `MATCH (a:Customer)-[r:REFERRED {campaign: $campaignId}]->(:Customer)
   RETURN a.id AS referrerId, r.invitedAt AS invitedAt, r.signedUpAt AS signedUpAt`,
);

const WAVES = cypher<{ number: number; at: number; size: number }>(
  'launch.reportWaves',
  'MATCH (w:Wave {campaignId: $campaignId}) RETURN w.number AS number, w.at AS at, w.size AS size ORDER BY w.number',
);

type Sent = { invitedAt: number | null; signedUpAt: number | null };

const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The figures of one cohort of members, from the referrals each sent in the campaign. */
export function cohortFigures(campaign: CampaignRecord, members: MemberRow[], sentBy: Map<string, Sent[]>): Omit<LaunchCohortRow, 'wave' | 'admittedAt'> {
  const generations = new Map<number, LaunchGenerationRow>();
  const hoursToAccept: number[] = [];
  let spent = 0;
  let accepted = 0;
  let neverInvited = 0;
  let granted = 0;
  for (const member of members) {
    const sent = sentBy.get(member.id) ?? [];
    const acceptedHere = sent.filter((referral) => referral.signedUpAt !== null);
    for (const referral of acceptedHere) if (referral.invitedAt !== null) hoursToAccept.push((referral.signedUpAt! - referral.invitedAt) / HOUR_MS);
    spent += sent.length;
    accepted += acceptedHere.length;
    if (sent.length === 0) neverInvited++;
    granted += invitationsGranted(campaign, member.quota, member.converted);
    const generation = member.generation ?? 0;
    const row = generations.get(generation) ?? { generation, members: 0, inviters: 0, invitesSent: 0, accepted: 0, kFactor: null };
    row.members++;
    if (sent.length > 0) row.inviters++;
    row.invitesSent += sent.length;
    row.accepted += acceptedHere.length;
    generations.set(generation, row);
  }
  const rows = [...generations.values()].sort((a, b) => a.generation - b.generation).map((row) => ({ ...row, kFactor: ratio(row.accepted, row.members) }));
  return {
    admitted: members.filter((member) => (member.generation ?? 0) === 0).length,
    members: members.length,
    invitesGranted: campaign.inviteQuota == null ? null : granted,
    invitesSpent: spent,
    acceptedInvites: accepted,
    acceptanceRate: ratio(accepted, spent),
    medianHoursToAcceptance: median(hoursToAccept),
    kFactor: ratio(accepted, members.length),
    neverInvitedShare: ratio(neverInvited, members.length),
    depth: rows.length === 0 ? 0 : rows[rows.length - 1].generation,
    generations: rows,
  };
}

export async function launchReport(graph: Graph, campaignId: string): Promise<LaunchReportRecord> {
  checkId('campaignId', campaignId);
  return graph.readTransaction(async (tx) => {
    const { campaign } = await readCampaignState(tx, 'campaignId', campaignId);
    const all = await tx.run(MEMBERS, { campaignId });
    const sentBy = new Map<string, Sent[]>();
    for (const referral of await tx.run(REFERRALS, { campaignId })) {
      const list = sentBy.get(referral.referrerId) ?? [];
      list.push(referral);
      sentBy.set(referral.referrerId, list);
    }
    const members = all.filter((member) => member.status === 'MEMBER');
    const cohort = (wave: number) => members.filter((member) => (member.rootWave ?? 0) === wave);
    const waves: LaunchCohortRow[] = [];
    const founders = cohort(0);
    if (founders.length > 0) waves.push({ wave: 0, admittedAt: null, ...cohortFigures(campaign, founders, sentBy) });
    for (const wave of await tx.run(WAVES, { campaignId })) {
      waves.push({ wave: wave.number, admittedAt: wave.at, ...cohortFigures(campaign, cohort(wave.number), sentBy) });
    }
    return {
      campaignId,
      waiting: all.length - members.length,
      overall: { wave: null, admittedAt: null, ...cohortFigures(campaign, members, sentBy) },
      waves,
    };
  });
}
