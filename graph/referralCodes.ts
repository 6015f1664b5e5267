import crypto from 'node:crypto';
import type { IssueReferralCodeInput } from '../schema/generated/types';
import { checkCampaignNotEnded } from './campaigns';
import { notFound } from './errors';
import { CampaignRecord, ReferralCodeRecord } from './model';
import { cypher, Graph, Tx } from './neo4j';
import { CAMPAIGN_AND_REFERRER, CODE_LOOKUP } from './referrals';
import { checkId } from './validate';

// No 0/O/1/I/L: codes are read aloud and typed by hand. 10 symbols of 31 ≈ 2^49 possibilities.
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

function newReferralCode(): string {
  const bytes = crypto.randomBytes(10);
  return Array.from(bytes, (byte) => CODE_ALPHABET[byte % CODE_ALPHABET.length]).join('');
}

// Takes `$rows`: a single mutation sends one row, a batch (graph/batch) one row per event.
// One code per customer and campaign is the referral_code_owner_campaign constraint on `ownerCampaign`
// (the owner's and the campaign's elementIds, which never change; eraseCustomer rewrites Customer.id).
// MERGE on a uniquely constrained property locks that value: concurrent issuers wait for the first and
// then find its code, so every one of them returns the same code instead of failing.
export const ISSUE_CODE = cypher<{ index: number; code: string }>(
  'referralCode.issue',
  `UNWIND $rows AS row
   MATCH (owner:Customer {id: row.customerId}), (campaign:Campaign {id: row.campaignId})
   MERGE (code:ReferralCode {ownerCampaign: elementId(owner) + '/' + elementId(campaign)})
   ON CREATE SET code.code = row.code, code.issuedAt = row.at
   MERGE (owner)-[:OWNS]->(code)
   MERGE (code)-[:FOR]->(campaign)
   RETURN row.index AS index, code.code AS code`,
);

export interface IssueCodeRow {
  customerId: string;
  campaignId: string;
  at: number;
  /** A fresh code, used when the customer has none for the campaign yet. */
  code: string;
}

export function parseIssueCode(input: IssueReferralCodeInput, now: number): IssueCodeRow {
  checkId('customerId', input.customerId);
  checkId('campaignId', input.campaignId);
  return { customerId: input.customerId, campaignId: input.campaignId, at: input.at ?? now, code: newReferralCode() };
}

export function checkIssueState(row: IssueCodeRow, state: { campaign: CampaignRecord | null; referrerExists: boolean }): void {
  if (!state.referrerExists) throw notFound('customerId', `no customer with id "${row.customerId}".`);
  if (!state.campaign) throw notFound('campaignId', `no campaign with id "${row.campaignId}".`);
  checkCampaignNotEnded('campaignId', state.campaign, row.at);
}

export const codeRecord = (row: IssueCodeRow, code: string): ReferralCodeRecord => ({ code, ownerId: row.customerId, campaignId: row.campaignId });

/** One customer has one code per campaign: issuing again returns it. Codes may be issued before a campaign starts, never after it ends. */
export async function issueReferralCode(tx: Tx, input: IssueReferralCodeInput, now: number): Promise<ReferralCodeRecord> {
  const row = { ...parseIssueCode(input, now), index: 0 };
  const [state] = await tx.run(CAMPAIGN_AND_REFERRER, { rows: [{ index: 0, campaignId: row.campaignId, referrerId: row.customerId }] });
  checkIssueState(row, state);
  const [written] = await tx.run(ISSUE_CODE, { rows: [row] });
  return codeRecord(row, written.code);
}

export async function referralCodesByCode(graph: Graph, codes: readonly string[]): Promise<Map<string, ReferralCodeRecord>> {
  const rows = await graph.read(CODE_LOOKUP, { codes: [...new Set(codes)] });
  return new Map(rows.map((row) => [row.code, { code: row.code, ownerId: row.ownerId, campaignId: row.campaign.id }]));
}
