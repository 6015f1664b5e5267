import type { JoinWaitlistInput } from '../schema/generated/types';
import { badInput, notFound, withinField } from './errors';
import { JOIN_WAITLIST, lockCampaign, membershipOf, readCampaignState } from './membership';
import { CampaignRecord } from './model';
import { cypher, Graph, Tx } from './neo4j';
import { invitationsLeft } from './quotas';
import { checkId } from './validate';

// Waitlists. Each waiting customer has a join number `seq` (from the campaign's counter, taken under the
// campaign's lock, so no two share one) and a score: seq minus moveUpPerReferral for each of the `credits`
// (referrals credited to them while they wait). The order is (score, credits descending, seq): a lower score
// first; on a tie the one who referred more, so that a referral passes exactly moveUpPerReferral people who
// did not refer; then the earlier joiner.
// A position is a rank in that order, the count of waiting customers before you plus one, so positions
// are 1..n with no place shared or skipped by construction, whatever joins and referrals run concurrently.
//
// "The next wave" is the campaign's `waveSize` when set, else the size of the last wave admitted.

export type LaunchStatus = 'WAITING' | 'MEMBER' | 'NOT_JOINED';

export interface WaitlistPositionRecord {
  customerId: string;
  campaignId: string;
  status: LaunchStatus;
  position: number | null;
  waiting: number;
  creditedReferrals: number;
  nextWaveSize: number | null;
  referralsToNextWave: number | null;
  admittedInWave: number | null;
  invitationsLeft: number | null;
}

// Every count is an index seek on membership_queue (campaignId, status, score) that reads index entries only:
// written inline in RETURN, the planner scanned every Membership of every campaign (a label scan) instead.
const PLACE = cypher<{
  customerExists: boolean;
  status: string | null;
  score: number | null;
  seq: number | null;
  credits: number | null;
  wave: number | null;
  credited: number;
  waiting: number;
  ahead: number;
}>(
  'waitlist.place',
  `OPTIONAL MATCH (c:Customer {id: $customerId})
   OPTIONAL MATCH (c)-[:HOLDS]->(m:Membership {campaignId: $campaignId})
   WITH c, m
   CALL () {
     MATCH (o:Membership) WHERE o.campaignId = $campaignId AND o.status = 'WAITING' AND o.score IS NOT NULL
     RETURN count(*) AS waiting
   }
   CALL (m) {
     MATCH (o:Membership) WHERE o.campaignId = $campaignId AND o.status = 'WAITING' AND o.score < m.score
     RETURN count(*) AS below
   }
   CALL (m) {
     MATCH (o:Membership) WHERE o.campaignId = $campaignId AND o.status = 'WAITING' AND o.score = m.score
       AND (o.credits > m.credits OR (o.credits = m.credits AND o.seq < m.seq))
     RETURN count(*) AS tied
   }
   RETURN c IS NOT NULL AS customerExists, m.status AS status, m.score AS score, m.seq AS seq, m.credits AS credits, m.wave AS wave,
          COUNT { (c)-[r:REFERRED {campaign: $campaignId}]->() WHERE r.signedUpAt IS NOT NULL } AS credited,
          waiting, CASE WHEN m.status = 'WAITING' THEN below + tied ELSE 0 END AS ahead`,
);

// The customer at `place` (1-based) in line: the one to overtake to be within a wave of that size. The score
// there comes from the index in its order (ORDER BY every key of membership_queue, so only skip + 1 entries are
// read); customers sharing that score are then ordered by credits and join number.
const AT_PLACE = cypher<QueuePlace>(
  'waitlist.atPlace',
  `MATCH (o:Membership) WHERE o.campaignId = $campaignId AND o.status = 'WAITING' AND o.score IS NOT NULL
   WITH o ORDER BY o.campaignId, o.status, o.score SKIP $skip LIMIT 1
   WITH o.score AS score
   CALL (score) {
     MATCH (b:Membership) WHERE b.campaignId = $campaignId AND b.status = 'WAITING' AND b.score < score
     RETURN count(*) AS below
   }
   CALL (score) {
     MATCH (t:Membership) WHERE t.campaignId = $campaignId AND t.status = 'WAITING' AND t.score = score
     WITH t ORDER BY t.credits DESC, t.seq
     RETURN collect({credits: t.credits, seq: t.seq}) AS tied
   }
   WITH score, tied[$skip - below] AS place
   RETURN score, place.credits AS credits, place.seq AS seq`,
);

/** Where a waiting customer sorts: (score, credits descending, seq). */
export interface QueuePlace {
  score: number;
  credits: number;
  seq: number;
}

const before = (a: QueuePlace, b: QueuePlace) => a.score < b.score || (a.score === b.score && (a.credits > b.credits || (a.credits === b.credits && a.seq < b.seq)));

/**
 * Credited referrals that would take a customer at `place` ahead of `target` if nobody else moved: the
 * fewest k with (score − k·places, credits + k, seq) before the target. Null when referrals move nobody.
 */
export function referralsToOvertake(place: QueuePlace, target: QueuePlace, places: number): number | null {
  if (before(place, target)) return 0;
  if (places <= 0) return null;
  // The first k whose score reaches the target's; one more if even then the tie goes to the target.
  const k = Math.max(1, Math.ceil((place.score - target.score) / places));
  const moved = { score: place.score - k * places, credits: place.credits + k, seq: place.seq };
  return before(moved, target) ? k : k + 1;
}

export async function waitlistPositionIn(tx: Tx, campaign: CampaignRecord, lastWaveSize: number | null, customerId: string): Promise<WaitlistPositionRecord> {
  const [place] = await tx.run(PLACE, { customerId, campaignId: campaign.id });
  if (!place.customerExists) throw notFound('customerId', `no customer with id "${customerId}".`);
  const status: LaunchStatus = place.status === 'WAITING' || place.status === 'MEMBER' ? place.status : 'NOT_JOINED';
  const nextWaveSize = campaign.waveSize ?? lastWaveSize ?? null;
  const position = status === 'WAITING' ? place.ahead + 1 : null;
  let referralsToNextWave: number | null = null;
  if (position !== null && nextWaveSize !== null) {
    if (position <= nextWaveSize) referralsToNextWave = 0;
    else {
      const [target] = await tx.run(AT_PLACE, { campaignId: campaign.id, skip: nextWaveSize - 1 });
      const mine = { score: place.score!, credits: place.credits ?? 0, seq: place.seq! };
      referralsToNextWave = referralsToOvertake(mine, { ...target, credits: target.credits ?? 0 }, campaign.moveUpPerReferral ?? 0);
    }
  }
  return {
    customerId,
    campaignId: campaign.id,
    status,
    position,
    waiting: place.waiting,
    creditedReferrals: place.credited,
    nextWaveSize,
    referralsToNextWave,
    admittedInWave: status === 'MEMBER' ? place.wave : null,
    invitationsLeft: status === 'MEMBER' ? await invitationsLeft(tx, campaign, customerId) : null,
  };
}

/** Where a customer stands in a campaign's launch; NOT_FOUND `campaignId` or `customerId`. */
export async function waitlistPosition(graph: Graph, customerId: string, campaignId: string): Promise<WaitlistPositionRecord> {
  checkId('customerId', customerId);
  checkId('campaignId', campaignId);
  return graph.readTransaction(async (tx) => {
    const { campaign, lastWaveSize } = await readCampaignState(tx, 'campaignId', campaignId);
    return waitlistPositionIn(tx, campaign, lastWaveSize, customerId);
  });
}

const CUSTOMER_EXISTS = cypher<{ id: string }>('waitlist.customerExists', 'MATCH (c:Customer {id: $customerId}) RETURN c.id AS id');

/** Puts a customer on a waitlist (a sign-up no referral brought), or answers where they already stand. */
export async function joinWaitlist(graph: Graph, input: JoinWaitlistInput, now = Date.now()): Promise<WaitlistPositionRecord> {
  return withinField('input', async () => {
    const campaignId = checkId('campaignId', input.campaignId);
    const customerId = checkId('customerId', input.customerId);
    return graph.writeTransaction(async (tx) => {
      if ((await tx.run(CUSTOMER_EXISTS, { customerId })).length === 0) throw notFound('customerId', `no customer with id "${customerId}".`);
      const { campaign, lastWaveSize } = await lockCampaign(tx, 'campaignId', campaignId);
      if (!campaign.waitlist) throw badInput('campaignId', `campaign "${campaignId}" has no waitlist.`);
      if (!(await membershipOf(tx, campaignId, customerId))) await tx.run(JOIN_WAITLIST, { campaignId, customerId, at: input.at ?? now });
      return waitlistPositionIn(tx, campaign, lastWaveSize, customerId);
    });
  });
}
