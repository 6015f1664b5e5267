import crypto from 'node:crypto';
import type {
  CreateCampaignInput,
  IssueReferralCodeInput,
  RecordInviteInput,
  RecordReferralClickInput,
  RecordSignupInput,
} from '../server/generated/graphql';
import { ADVANCE_STAGE, CUSTOMER_PROJECTION, toCustomer } from './customers';
import { badInput, conflict, notFound } from './errors';
import { CampaignRecord, CustomerRecord, ReferralCodeRecord, ReferralRecord } from './model';
import { cypher, Graph, Tx } from './neo4j';
import { checkChannel, checkEmail, checkId, checkIntRange, checkText } from './validate';

const DAY_MS = 86_400_000;

export const CAMPAIGN_PROJECTION =
  '{.id, .name, .startsAt, .endsAt, .attributionWindowDays, .attributionModel, .referrerReward, .friendReward}';

/** Referral relationships carry ids of both ends so that one map describes the whole referral. */
export const REFERRAL_PROJECTION = (rel: string, referrer: string, invitee: string) =>
  `{referrerId: ${referrer}.id, inviteeId: ${invitee}.id, campaignId: ${rel}.campaign, code: ${rel}.code, channel: ${rel}.channel,
    status: ${rel}.status, invitedAt: ${rel}.invitedAt, clickedAt: ${rel}.clickedAt, signedUpAt: ${rel}.signedUpAt,
    firstPurchaseAt: ${rel}.firstPurchaseAt}`;

// ---- campaigns -------------------------------------------------------------------------------

const UPSERT_CAMPAIGN = cypher(
  'campaign.upsert',
  `MERGE (c:Campaign {id: $id})
   SET c += $fields
   RETURN c ${CAMPAIGN_PROJECTION} AS campaign`,
);

export async function createCampaign(graph: Graph, input: CreateCampaignInput): Promise<CampaignRecord> {
  const id = checkId('input.id', input.id);
  const name = checkText('input.name', input.name, 200)!;
  if (name.trim() === '') throw badInput('input.name', 'input.name must not be empty.');
  if (input.endsAt !== null && input.endsAt !== undefined && input.endsAt <= input.startsAt) {
    throw badInput('input.endsAt', 'input.endsAt must be after input.startsAt.');
  }
  const fields = {
    name,
    startsAt: input.startsAt,
    endsAt: input.endsAt ?? null,
    attributionWindowDays: checkIntRange('input.attributionWindowDays', input.attributionWindowDays ?? 30, 1, 365),
    attributionModel: input.attributionModel ?? 'LAST_TOUCH',
    referrerReward: checkText('input.referrerReward', input.referrerReward, 200) ?? null,
    friendReward: checkText('input.friendReward', input.friendReward, 200) ?? null,
  };
  const [row] = await graph.write(UPSERT_CAMPAIGN, { id, fields });
  return row.campaign as CampaignRecord;
}

const CAMPAIGNS_BY_ID = cypher('campaign.byIds', `UNWIND $ids AS id MATCH (c:Campaign {id: id}) RETURN c ${CAMPAIGN_PROJECTION} AS campaign`);

export async function campaignsByIds(graph: Graph, ids: readonly string[]): Promise<Map<string, CampaignRecord>> {
  const rows = await graph.read(CAMPAIGNS_BY_ID, { ids: [...new Set(ids)] });
  return new Map(rows.map((row) => [(row.campaign as CampaignRecord).id, row.campaign as CampaignRecord]));
}

function checkCampaignOpen(field: string, campaign: CampaignRecord, at: number): void {
  if (at < campaign.startsAt) throw badInput(field, `campaign "${campaign.id}" starts at ${new Date(campaign.startsAt).toISOString()}.`);
  if (campaign.endsAt !== null && at > campaign.endsAt) {
    throw badInput(field, `campaign "${campaign.id}" ended at ${new Date(campaign.endsAt).toISOString()}.`);
  }
}

// ---- referral codes --------------------------------------------------------------------------

// No 0/O/1/I/L: codes are read aloud and typed by hand. 10 symbols of 31 ≈ 2^49 possibilities.
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

function newReferralCode(): string {
  const bytes = crypto.randomBytes(10);
  return Array.from(bytes, (byte) => CODE_ALPHABET[byte % CODE_ALPHABET.length]).join('');
}

const ISSUE_CODE = cypher(
  'referralCode.issue',
  `MATCH (owner:Customer {id: $customerId}), (campaign:Campaign {id: $campaignId})
   OPTIONAL MATCH (owner)-[:OWNS]->(existing:ReferralCode)-[:FOR]->(campaign)
   CALL (owner, campaign, existing) {
     WITH owner, campaign, existing WHERE existing IS NULL
     CREATE (owner)-[:OWNS]->(code:ReferralCode {code: $code, issuedAt: $now})-[:FOR]->(campaign)
     RETURN code
     UNION
     WITH existing WHERE existing IS NOT NULL
     RETURN existing AS code
   }
   RETURN code.code AS code`,
);

const CODE_LOOKUP = cypher(
  'referralCode.lookup',
  `UNWIND $codes AS wanted
   MATCH (owner:Customer)-[:OWNS]->(code:ReferralCode {code: wanted})-[:FOR]->(campaign:Campaign)
   RETURN code.code AS code, owner.id AS ownerId, campaign ${CAMPAIGN_PROJECTION} AS campaign`,
);

const CAMPAIGN_AND_REFERRER = cypher(
  'referral.campaignAndReferrer',
  `OPTIONAL MATCH (campaign:Campaign {id: $campaignId})
   OPTIONAL MATCH (referrer:Customer {id: $referrerId})
   RETURN campaign ${CAMPAIGN_PROJECTION} AS campaign, referrer IS NOT NULL AS referrerExists`,
);

/** One customer has one code per campaign: issuing again returns it. */
export async function issueReferralCode(tx: Tx, input: IssueReferralCodeInput, now: number, path = 'input'): Promise<ReferralCodeRecord> {
  checkId(`${path}.customerId`, input.customerId);
  checkId(`${path}.campaignId`, input.campaignId);
  const [state] = await tx.run(CAMPAIGN_AND_REFERRER, { campaignId: input.campaignId, referrerId: input.customerId });
  if (!state.referrerExists) throw notFound(`${path}.customerId`, `no customer with id "${input.customerId}".`);
  if (!state.campaign) throw notFound(`${path}.campaignId`, `no campaign with id "${input.campaignId}".`);
  const campaign = state.campaign as CampaignRecord;
  // Codes may be handed out before a campaign starts, never after it ends.
  if (campaign.endsAt !== null && now > campaign.endsAt) checkCampaignOpen(`${path}.campaignId`, campaign, now);
  const [row] = await tx.run(ISSUE_CODE, { customerId: input.customerId, campaignId: input.campaignId, code: newReferralCode(), now });
  return { code: row.code as string, ownerId: input.customerId, campaignId: input.campaignId };
}

export async function referralCodesByCode(graph: Graph, codes: readonly string[]): Promise<Map<string, ReferralCodeRecord>> {
  const rows = await graph.read(CODE_LOOKUP, { codes: [...new Set(codes)] });
  return new Map(rows.map((row) => [row.code as string, { code: row.code as string, ownerId: row.ownerId as string, campaignId: (row.campaign as CampaignRecord).id }]));
}

interface ReferralSource {
  referrerId: string;
  campaign: CampaignRecord;
  code: string | null;
}

/** Who referred, and through which campaign: from a code, or from a referrer id and campaign id. */
async function resolveSource(
  tx: Tx,
  path: string,
  input: { code?: string | null; referrerId?: string | null; campaignId?: string | null },
): Promise<ReferralSource> {
  if (input.code) {
    if (input.referrerId || input.campaignId) throw badInput(`${path}.code`, `give either ${path}.code or ${path}.referrerId with ${path}.campaignId, not both.`);
    const [row] = await tx.run(CODE_LOOKUP, { codes: [input.code] });
    if (!row) throw notFound(`${path}.code`, `no referral code "${input.code.slice(0, 20)}".`);
    return { referrerId: row.ownerId as string, campaign: row.campaign as CampaignRecord, code: input.code };
  }
  if (!input.referrerId || !input.campaignId) {
    throw badInput(`${path}.code`, `give either ${path}.code or ${path}.referrerId with ${path}.campaignId.`);
  }
  checkId(`${path}.referrerId`, input.referrerId);
  checkId(`${path}.campaignId`, input.campaignId);
  const [state] = await tx.run(CAMPAIGN_AND_REFERRER, { campaignId: input.campaignId, referrerId: input.referrerId });
  if (!state.referrerExists) throw notFound(`${path}.referrerId`, `no customer with id "${input.referrerId}".`);
  if (!state.campaign) throw notFound(`${path}.campaignId`, `no campaign with id "${input.campaignId}".`);
  return { referrerId: input.referrerId, campaign: state.campaign as CampaignRecord, code: null };
}

// ---- the referral chain rules ------------------------------------------------------------------

// A customer has at most one credited (signed-up) referrer, so the chain above anyone is a single path:
// the quantified pattern walks up it and stops at the root.
const WOULD_CLOSE_CYCLE = cypher(
  'referral.wouldCloseCycle',
  `MATCH (referrer:Customer {id: $referrerId})
   RETURN EXISTS {
     MATCH (referrer) (()<-[r:REFERRED WHERE r.signedUpAt IS NOT NULL]-()){1,1000} (ancestor:Customer {id: $inviteeId})
   } AS cycle`,
);

async function checkNotCyclic(tx: Tx, field: string, referrerId: string, inviteeId: string): Promise<void> {
  if (referrerId === inviteeId) throw badInput(field, 'a customer cannot refer themselves.');
  const [row] = await tx.run(WOULD_CLOSE_CYCLE, { referrerId, inviteeId });
  if (row?.cycle) {
    throw conflict(field, `"${inviteeId}" is above "${referrerId}" in the referral chain; this referral would close a cycle.`);
  }
}

// ---- invites and clicks ----------------------------------------------------------------------

const RECORD_TOUCH = cypher(
  'referral.touch',
  `MATCH (referrer:Customer {id: $referrerId})
   MERGE (invitee:Customer {id: $invitee.id})
   ON CREATE SET invitee.createdAt = $at, invitee.stage = 'STRANGER', invitee.stageRank = 0,
                 invitee.name = $invitee.name, invitee.email = $invitee.email
   MERGE (referrer)-[r:REFERRED {campaign: $campaignId}]->(invitee)
   ON CREATE SET r.invitedAt = $at, r.status = 'INVITED', r.channel = $channel, r.code = $code
   SET r.code = coalesce(r.code, $code), r.channel = coalesce(r.channel, $channel),
       r.clickedAt = CASE WHEN $clicked AND r.clickedAt IS NULL THEN $at ELSE r.clickedAt END,
       r.status = CASE WHEN $clicked AND r.status = 'INVITED' THEN 'CLICKED' ELSE r.status END
   WITH referrer, invitee, r
   CALL (invitee) {
     WITH invitee WHERE $clicked
     ${ADVANCE_STAGE('invitee', "'INTERESTED'", '2')}
   }
   RETURN r ${REFERRAL_PROJECTION('r', 'referrer', 'invitee')} AS referral`,
);

const EMAIL_OWNER = cypher('customer.emailOwner', 'OPTIONAL MATCH (c:Customer {email: $email}) RETURN c.id AS id');

/** An invite (clicked = false) or a click on one; an invitee who is not yet a customer becomes a STRANGER. */
async function recordTouch(
  tx: Tx,
  path: string,
  source: ReferralSource,
  invitee: { id: string; name: string | null; email: string | null },
  channel: string | null,
  at: number,
  clicked: boolean,
): Promise<ReferralRecord> {
  checkCampaignOpen(`${path}.${source.code ? 'code' : 'campaignId'}`, source.campaign, at);
  await checkNotCyclic(tx, `${path}.${clicked ? 'inviteeId' : 'invitee.id'}`, source.referrerId, invitee.id);
  if (invitee.email) {
    const [owner] = await tx.run(EMAIL_OWNER, { email: invitee.email });
    if (owner.id !== null && owner.id !== invitee.id) throw conflict(`${path}.invitee.email`, 'another customer already has this email.');
  }
  const [row] = await tx.run(RECORD_TOUCH, {
    referrerId: source.referrerId,
    invitee,
    campaignId: source.campaign.id,
    channel,
    code: source.code,
    at,
    clicked,
  });
  return row.referral as ReferralRecord;
}

export async function recordInvite(tx: Tx, input: RecordInviteInput, now: number, path = 'input'): Promise<ReferralRecord> {
  const invitee = {
    id: checkId(`${path}.invitee.id`, input.invitee.id),
    name: checkText(`${path}.invitee.name`, input.invitee.name, 200) ?? null,
    email: checkEmail(`${path}.invitee.email`, input.invitee.email) ?? null,
  };
  const channel = checkChannel(`${path}.channel`, input.channel);
  const source = await resolveSource(tx, path, input);
  return recordTouch(tx, path, source, invitee, channel, input.at ?? now, false);
}

export async function recordReferralClick(tx: Tx, input: RecordReferralClickInput, now: number, path = 'input'): Promise<ReferralRecord> {
  const inviteeId = checkId(`${path}.inviteeId`, input.inviteeId);
  const channel = input.channel ? checkChannel(`${path}.channel`, input.channel) : null;
  const source = await resolveSource(tx, path, input);
  return recordTouch(tx, path, source, { id: inviteeId, name: null, email: null }, channel, input.at ?? now, true);
}

// ---- sign-up and attribution -------------------------------------------------------------------

const SIGNUP_STATE = cypher(
  'signup.state',
  `OPTIONAL MATCH (c:Customer {id: $id})
   OPTIONAL MATCH (other:Customer {email: $email}) WHERE other.id <> $id
   RETURN c.signedUpAt AS signedUpAt, other IS NOT NULL AS emailTaken`,
);

// Open invites and clicks into the customer, with their campaign's window and model, latest touch first.
const ATTRIBUTION_CANDIDATES = cypher(
  'signup.candidates',
  `MATCH (referrer:Customer)-[r:REFERRED]->(:Customer {id: $id})
   WHERE r.status IN ['INVITED', 'CLICKED']
   MATCH (campaign:Campaign {id: r.campaign})
   WITH referrer, r, campaign, coalesce(r.clickedAt, r.invitedAt) AS touch
   WHERE touch <= $at AND $at - touch <= campaign.attributionWindowDays * ${DAY_MS}
   RETURN referrer.id AS referrerId, campaign.id AS campaignId, campaign.attributionModel AS model, touch
   ORDER BY touch DESC, referrerId`,
);

const SIGN_UP = cypher(
  'signup.customer',
  `MERGE (c:Customer {id: $id})
   ON CREATE SET c.createdAt = $at, c.stage = 'STRANGER', c.stageRank = 0
   SET c.name = coalesce($name, c.name), c.email = coalesce($email, c.email), c.signedUpAt = $at
   WITH c
   ${ADVANCE_STAGE('c', "'FAN'", '3')}
   RETURN c ${CUSTOMER_PROJECTION} AS customer`,
);

// Credits one referral and rejects the other open ones into the same customer: one referrer per sign-up.
// A purchase already recorded at or after the sign-up (backfilled history) converts the credit at once,
// on the earliest such purchase, as RECORD_PURCHASE in graph/commerce.ts would have; earlier purchases do not.
const CREDIT_REFERRAL = cypher(
  'signup.credit',
  `MATCH (referrer:Customer {id: $referrerId}), (c:Customer {id: $id})
   MERGE (referrer)-[r:REFERRED {campaign: $campaignId}]->(c)
   ON CREATE SET r.invitedAt = $at, r.channel = 'code'
   SET r.status = 'SIGNED_UP', r.signedUpAt = $at, r.code = coalesce($code, r.code)
   WITH referrer, c, r
   CALL (c, r) {
     MATCH (:Customer)-[other:REFERRED]->(c)
     WHERE other <> r AND other.status IN ['INVITED', 'CLICKED']
     SET other.status = 'REJECTED'
   }
   CALL (c, r) {
     MATCH (c)-[p:PURCHASED]->() WHERE p.at >= r.signedUpAt
     WITH r, min(p.at) AS firstPurchaseAt
     SET r.status = 'CONVERTED', r.firstPurchaseAt = firstPurchaseAt
   }
   RETURN r ${REFERRAL_PROJECTION('r', 'referrer', 'c')} AS referral`,
);

interface Candidate {
  referrerId: string;
  campaignId: string;
  model: 'FIRST_TOUCH' | 'LAST_TOUCH';
  touch: number;
}

/**
 * The campaign the customer acted on last wins; within it, its model picks the referrer:
 * FIRST_TOUCH the earliest invite or click, LAST_TOUCH the latest.
 */
export function pickAttribution(candidates: Candidate[]): Candidate[] {
  if (candidates.length === 0) return [];
  const latest = candidates.reduce((a, b) => (b.touch > a.touch ? b : a));
  const sameCampaign = candidates.filter((candidate) => candidate.campaignId === latest.campaignId);
  const ordered = [...sameCampaign].sort((a, b) => (latest.model === 'FIRST_TOUCH' ? a.touch - b.touch : b.touch - a.touch));
  return ordered;
}

export interface SignupRecord {
  customer: CustomerRecord;
  referral: ReferralRecord | null;
}

export async function recordSignup(tx: Tx, input: RecordSignupInput, now: number, path = 'input'): Promise<SignupRecord> {
  const id = checkId(`${path}.customerId`, input.customerId);
  const email = checkEmail(`${path}.email`, input.email) ?? null;
  const name = checkText(`${path}.name`, input.name, 200) ?? null;
  const at = input.at ?? now;
  const [state] = await tx.run(SIGNUP_STATE, { id, email });
  if (state.signedUpAt !== null) throw conflict(`${path}.customerId`, `customer "${id}" has already signed up.`);
  if (state.emailTaken) throw conflict(`${path}.email`, 'another customer already has this email.');

  let credited: { referrerId: string; campaignId: string; code: string | null } | null = null;
  if (input.code) {
    const source = await resolveSource(tx, path, { code: input.code });
    checkCampaignOpen(`${path}.code`, source.campaign, at);
    await checkNotCyclic(tx, `${path}.code`, source.referrerId, id);
    credited = { referrerId: source.referrerId, campaignId: source.campaign.id, code: input.code };
  } else {
    const rows = await tx.run(ATTRIBUTION_CANDIDATES, { id, at });
    for (const candidate of pickAttribution(rows as unknown as Candidate[])) {
      const [cycle] = await tx.run(WOULD_CLOSE_CYCLE, { referrerId: candidate.referrerId, inviteeId: id });
      if (!cycle?.cycle) {
        credited = { referrerId: candidate.referrerId, campaignId: candidate.campaignId, code: null };
        break;
      }
    }
  }
  const [row] = await tx.run(SIGN_UP, { id, name, email, at });
  if (!credited) return { customer: toCustomer(row.customer), referral: null };
  const [referral] = await tx.run(CREDIT_REFERRAL, { ...credited, id, at });
  return { customer: toCustomer(row.customer), referral: referral.referral as ReferralRecord };
}
