import type { AttributionModel } from '../schema/generated/types';
import { DAY_MS } from './model';
import { cypher, Tx } from './neo4j';
import { lockCreditChain } from './referrals';

// Which open invite or click a sign-up without a code credits.

export interface Candidate {
  referrerId: string;
  campaignId: string;
  model: AttributionModel;
  touch: number;
  /** The campaign is invite-only or a waitlist (see isLaunchCampaign). */
  launch: boolean;
}

// Open invites and clicks into the customer, with their campaign's window and model, latest touch first.
// Takes `$rows` ({index, id, at}): one per sign-up; a batch (graph/batch) reads all its sign-ups' candidates at once.
export const ATTRIBUTION_CANDIDATES = cypher<Candidate & { index: number }>(
  'signup.candidates',
  `UNWIND $rows AS row
   MATCH (referrer:Customer)-[r:REFERRED]->(:Customer {id: row.id})
   WHERE r.status IN ['INVITED', 'CLICKED']
   MATCH (campaign:Campaign {id: r.campaign})
   WITH row, referrer, r, campaign, coalesce(r.clickedAt, r.invitedAt) AS touch
   WHERE touch <= row.at AND row.at - touch <= campaign.attributionWindowDays * ${DAY_MS}
   RETURN row.index AS index, referrer.id AS referrerId, campaign.id AS campaignId, campaign.attributionModel AS model, touch,
          (campaign.inviteQuota IS NOT NULL OR coalesce(campaign.waitlist, false)) AS launch
   ORDER BY index, touch DESC, referrerId`,
);

/**
 * The campaign the customer acted on last wins; within it, its model picks the referrer:
 * FIRST_TOUCH the earliest invite or click, LAST_TOUCH the latest. Returns them best first.
 */
export function pickAttribution(candidates: readonly Candidate[]): Candidate[] {
  if (candidates.length === 0) return [];
  const latest = candidates.reduce((a, b) => (b.touch > a.touch ? b : a));
  const sameCampaign = candidates.filter((candidate) => candidate.campaignId === latest.campaignId);
  return [...sameCampaign].sort((a, b) => (latest.model === 'FIRST_TOUCH' ? a.touch - b.touch : b.touch - a.touch));
}

/**
 * The referrer a sign-up at `at` credits, skipping any whose credit would close a cycle; null when none.
 * The caller holds the invitee's lock; each candidate's chain is locked before it is judged (see
 * lockCreditChain), so the one returned stays acyclic until commit.
 */
export async function attributeSignup(tx: Tx, inviteeId: string, at: number): Promise<Candidate | null> {
  const candidates = await tx.run(ATTRIBUTION_CANDIDATES, { rows: [{ index: 0, id: inviteeId, at }] });
  for (const candidate of pickAttribution(candidates)) {
    if (!(await lockCreditChain(tx, candidate.referrerId, inviteeId))) return candidate;
  }
  return null;
}
