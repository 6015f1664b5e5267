import { CAMPAIGN_PROJECTION } from './campaigns';
import { badInput, conflict, notFound } from './errors';
import { lockCustomers, LockKey } from './locks';
import { CampaignRecord } from './model';
import { cypher, Tx } from './neo4j';
import { checkId } from './validate';

// What every referral write shares: the shape of a referral, who referred through which campaign,
// and the rule that keeps the chain of credited referrals free of cycles.

/** Referral relationships carry ids of both ends so that one map describes the whole referral. */
export const REFERRAL_PROJECTION = (rel: string, referrer: string, invitee: string) =>
  `{referrerId: ${referrer}.id, inviteeId: ${invitee}.id, campaignId: ${rel}.campaign, code: ${rel}.code, channel: ${rel}.channel,
    status: ${rel}.status, invitedAt: ${rel}.invitedAt, clickedAt: ${rel}.clickedAt, signedUpAt: ${rel}.signedUpAt,
    firstPurchaseAt: ${rel}.firstPurchaseAt}`;

export const CODE_LOOKUP = cypher<{ code: string; ownerId: string; campaign: CampaignRecord }>(
  'referralCode.lookup',
  `UNWIND $codes AS wanted
   MATCH (owner:Customer)-[:OWNS]->(code:ReferralCode {code: wanted})-[:FOR]->(campaign:Campaign)
   RETURN code.code AS code, owner.id AS ownerId, campaign ${CAMPAIGN_PROJECTION} AS campaign`,
);

export const CAMPAIGN_AND_REFERRER = cypher<{ campaign: CampaignRecord | null; referrerExists: boolean }>(
  'referral.campaignAndReferrer',
  `OPTIONAL MATCH (campaign:Campaign {id: $campaignId})
   OPTIONAL MATCH (referrer:Customer {id: $referrerId})
   RETURN campaign ${CAMPAIGN_PROJECTION} AS campaign, referrer IS NOT NULL AS referrerExists`,
);

export interface ReferralSource {
  referrerId: string;
  campaign: CampaignRecord;
  code: string | null;
}

/** Who referred, and through which campaign: from a code, or from a referrer id and campaign id. */
export async function resolveSource(tx: Tx, input: { code?: string | null; referrerId?: string | null; campaignId?: string | null }): Promise<ReferralSource> {
  if (input.code) {
    if (input.referrerId || input.campaignId) throw badInput('code', 'give either code or referrerId with campaignId, not both.');
    const [row] = await tx.run(CODE_LOOKUP, { codes: [input.code] });
    if (!row) throw notFound('code', `no referral code "${input.code.slice(0, 20)}".`);
    return { referrerId: row.ownerId, campaign: row.campaign, code: input.code };
  }
  if (!input.referrerId || !input.campaignId) throw badInput('code', 'give either code or referrerId with campaignId.');
  checkId('referrerId', input.referrerId);
  checkId('campaignId', input.campaignId);
  const [state] = await tx.run(CAMPAIGN_AND_REFERRER, { campaignId: input.campaignId, referrerId: input.referrerId });
  if (!state.referrerExists) throw notFound('referrerId', `no customer with id "${input.referrerId}".`);
  if (!state.campaign) throw notFound('campaignId', `no campaign with id "${input.campaignId}".`);
  return { referrerId: input.referrerId, campaign: state.campaign, code: null };
}

// A customer has at most one credited (signed-up) referrer, so the chain above anyone is a single path:
// the quantified pattern walks up it and stops at the root.
const WOULD_CLOSE_CYCLE = cypher<{ cycle: boolean }>(
  'referral.wouldCloseCycle',
  `MATCH (referrer:Customer {id: $referrerId})
   RETURN EXISTS {
     MATCH (referrer) (()<-[r:REFERRED WHERE r.signedUpAt IS NOT NULL]-()){1,1000} (ancestor:Customer {id: $inviteeId})
   } AS cycle`,
);

/** True when crediting `referrerId` with `inviteeId` would put the invitee above itself in the chain. */
export async function wouldCloseCycle(tx: Tx, referrerId: string, inviteeId: string): Promise<boolean> {
  if (referrerId === inviteeId) return true;
  const [row] = await tx.run(WOULD_CLOSE_CYCLE, { referrerId, inviteeId });
  return row?.cycle ?? false;
}

export const cycleConflict = (field: string, referrerId: string, inviteeId: string) =>
  conflict(field, `"${inviteeId}" is above "${referrerId}" in the referral chain; this referral would close a cycle.`);

export async function checkNotCyclic(tx: Tx, field: string, referrerId: string, inviteeId: string): Promise<void> {
  if (referrerId === inviteeId) throw badInput(field, 'a customer cannot refer themselves.');
  if (await wouldCloseCycle(tx, referrerId, inviteeId)) throw cycleConflict(field, referrerId, inviteeId);
}

// The referrer and every customer above it in the credited chain, as lock keys, and whether the invitee
// is among them. Trail semantics (no relationship twice) end the walk even on a cycle stored before the
// rule was enforced under concurrency.
const CHAIN_ABOVE = cypher<{ inviteeKey: LockKey; chainKeys: LockKey[]; cycle: boolean }>(
  'referral.chainAbove',
  `MATCH (referrer:Customer {id: $referrerId}), (invitee:Customer {id: $inviteeId})
   OPTIONAL MATCH (referrer) (()<-[r:REFERRED WHERE r.signedUpAt IS NOT NULL]-()){1,1000} (above:Customer)
   WITH referrer, invitee, [referrer] + collect(DISTINCT above) AS chain
   RETURN elementId(invitee) AS inviteeKey, [n IN chain | elementId(n)] AS chainKeys, invitee IN chain AS cycle`,
);

/**
 * Before a referral is credited: write-locks the invitee and every customer in the credited chain above
 * the referrer, in elementId order, then reads the chain again under the locks (locking what it newly
 * holds) until it holds nothing unlocked. Returns whether crediting would close a cycle.
 *
 * Why this suffices: a credit locks its invitee, so while these locks are held nobody can credit a
 * referral into any customer of the chain, and the chain read last stays true until commit. Two sign-ups
 * that would close a cycle between them (A with B's code, B with A's) both lock A and B, so one waits
 * for the other and then sees its credit. Both customers must exist.
 */
export async function lockCreditChain(tx: Tx, referrerId: string, inviteeId: string): Promise<boolean> {
  const locked = new Set<LockKey>();
  for (;;) {
    const [row] = await tx.run(CHAIN_ABOVE, { referrerId, inviteeId });
    if (!row) throw new Error(`lockCreditChain: customer "${referrerId}" or "${inviteeId}" does not exist`);
    const unlocked = [row.inviteeKey, ...row.chainKeys].filter((key) => !locked.has(key));
    if (unlocked.length === 0) return row.cycle;
    await lockCustomers(tx, unlocked);
    for (const key of unlocked) locked.add(key);
  }
}
