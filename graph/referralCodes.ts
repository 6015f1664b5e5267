import crypto from 'node:crypto';
import type { IssueReferralCodeInput } from '../schema/generated/types';
import { checkCampaignNotEnded } from './campaigns';
import { notFound } from './errors';
import { ReferralCodeRecord } from './model';
import { cypher, Graph, Tx } from './neo4j';
import { CAMPAIGN_AND_REFERRER, CODE_LOOKUP } from './referrals';
import { checkId } from './validate';

// No 0/O/1/I/L: codes are read aloud and typed by hand. 10 symbols of 31 ≈ 2^49 possibilities.
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

function newReferralCode(): string {
  const bytes = crypto.randomBytes(10);
  return Array.from(bytes, (byte) => CODE_ALPHABET[byte % CODE_ALPHABET.length]).join('');
}

// One code per customer and campaign is the referral_code_owner_campaign constraint on `ownerCampaign`
// (the owner's and the campaign's elementIds, which never change; eraseCustomer rewrites Customer.id).
// MERGE on a uniquely constrained property locks that value: concurrent issuers wait for the first and
// then find its code, so every one of them returns the same code instead of failing.
const ISSUE_CODE = cypher<{ code: string }>(
  'referralCode.issue',
  `MATCH (owner:Customer {id: $customerId}), (campaign:Campaign {id: $campaignId})
   MERGE (code:ReferralCode {ownerCampaign: elementId(owner) + '/' + elementId(campaign)})
   ON CREATE SET code.code = $code, code.issuedAt = $at
   MERGE (owner)-[:OWNS]->(code)
   MERGE (code)-[:FOR]->(campaign)
   RETURN code.code AS code`,
);

/** One customer has one code per campaign: issuing again returns it. Codes may be issued before a campaign starts, never after it ends. */
export async function issueReferralCode(tx: Tx, input: IssueReferralCodeInput, now: number): Promise<ReferralCodeRecord> {
  checkId('customerId', input.customerId);
  checkId('campaignId', input.campaignId);
  const at = input.at ?? now;
  const [state] = await tx.run(CAMPAIGN_AND_REFERRER, { campaignId: input.campaignId, referrerId: input.customerId });
  if (!state.referrerExists) throw notFound('customerId', `no customer with id "${input.customerId}".`);
  if (!state.campaign) throw notFound('campaignId', `no campaign with id "${input.campaignId}".`);
  checkCampaignNotEnded('campaignId', state.campaign, at);
  const [row] = await tx.run(ISSUE_CODE, { customerId: input.customerId, campaignId: input.campaignId, code: newReferralCode(), at });
  return { code: row.code, ownerId: input.customerId, campaignId: input.campaignId };
}

export async function referralCodesByCode(graph: Graph, codes: readonly string[]): Promise<Map<string, ReferralCodeRecord>> {
  const rows = await graph.read(CODE_LOOKUP, { codes: [...new Set(codes)] });
  return new Map(rows.map((row) => [row.code, { code: row.code, ownerId: row.ownerId, campaignId: row.campaign.id }]));
}
