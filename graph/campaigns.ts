import type { CreateCampaignInput } from '../schema/generated/types';
import { badInput, withinField } from './errors';
import { CampaignRecord, TEXT_LIMITS } from './model';
import { cypher, Graph } from './neo4j';
import { rewardFields } from './rewardTerms';
import { checkId, checkIntRange, checkText } from './validate';

// Reward terms are stored flat (Neo4j properties hold no maps) and projected back as one `rewards` map.
const TERMS = (c: string, side: string) =>
  `CASE WHEN ${c}.${side}RewardAmount IS NULL AND ${c}.${side}RewardPoints IS NULL THEN null
        ELSE {amount: ${c}.${side}RewardAmount, currency: ${c}.${side}RewardCurrency, points: ${c}.${side}RewardPoints} END`;

const CAMPAIGN_FIELDS =
  '.id, .name, .startsAt, .endsAt, .attributionWindowDays, .attributionModel, .referrerReward, .friendReward, ' +
  '.inviteQuota, .waitlist, .moveUpPerReferral, .earnedInvitesPerConvertedInvitee, .waveSize';
export const CAMPAIGN_PROJECTION = `{${CAMPAIGN_FIELDS}}`;

/** The projection with the reward terms, for the campaigns the API shows (rules read the terms in Cypher). */
const CAMPAIGN_WITH_REWARDS = (c: string) => `{${CAMPAIGN_FIELDS},
  rewards: CASE WHEN ${c}.rewardHoldDays IS NULL THEN null
                ELSE {referrer: ${TERMS(c, 'referrer')}, friend: ${TERMS(c, 'friend')}, holdDays: ${c}.rewardHoldDays, manualApproval: ${c}.rewardManualApproval} END}`;

const UPSERT_CAMPAIGN = cypher<{ campaign: CampaignRecord }>(
  'campaign.upsert',
  `MERGE (c:Campaign {id: $id})
   SET c += $fields
   RETURN c ${CAMPAIGN_WITH_REWARDS('c')} AS campaign`,
);

/** Creates or replaces a campaign's settings: idempotent by nature, so it takes no idempotency key. */
export async function createCampaign(graph: Graph, input: CreateCampaignInput): Promise<CampaignRecord> {
  return withinField('input', async () => {
    const id = checkId('id', input.id);
    const name = checkText('name', input.name, TEXT_LIMITS.name)!;
    if (name.trim() === '') throw badInput('name', 'name must not be empty.');
    if (input.endsAt !== null && input.endsAt !== undefined && input.endsAt <= input.startsAt) {
      throw badInput('endsAt', 'endsAt must be after startsAt.');
    }
    const fields = {
      name,
      startsAt: input.startsAt,
      endsAt: input.endsAt ?? null,
      attributionWindowDays: checkIntRange('attributionWindowDays', input.attributionWindowDays, 1, 365),
      attributionModel: input.attributionModel,
      referrerReward: checkText('referrerReward', input.referrerReward, TEXT_LIMITS.reward) ?? null,
      friendReward: checkText('friendReward', input.friendReward, TEXT_LIMITS.reward) ?? null,
      ...checkLaunchSettings(input),
      ...rewardFields(input.rewards),
    };
    const [row] = await graph.write(UPSERT_CAMPAIGN, { id, fields });
    return row.campaign;
  });
}

const CAMPAIGNS_BY_ID = cypher<{ campaign: CampaignRecord }>(
  'campaign.byIds',
  `UNWIND $ids AS id MATCH (c:Campaign {id: id}) RETURN c ${CAMPAIGN_WITH_REWARDS('c')} AS campaign`,
);

export async function campaignsByIds(graph: Graph, ids: readonly string[]): Promise<Map<string, CampaignRecord>> {
  const rows = await graph.read(CAMPAIGNS_BY_ID, { ids: [...new Set(ids)] });
  return new Map(rows.map((row) => [row.campaign.id, row.campaign]));
}

const LIST_CAMPAIGNS = cypher<{ campaign: CampaignRecord }>(
  'campaign.list',
  `MATCH (c:Campaign)
   RETURN c ${CAMPAIGN_PROJECTION} AS campaign
   ORDER BY c.startsAt DESC, c.id
   LIMIT $first`,
);

/** The campaigns, latest start first: few in any programme, so a plain list bounded by `first`. */
export async function listCampaigns(graph: Graph, first: number): Promise<CampaignRecord[]> {
  const rows = await graph.read(LIST_CAMPAIGNS, { first: checkIntRange('first', first, 1, 100) });
  return rows.map((row) => row.campaign);
}

/** Invites, clicks and sign-ups are refused outside the campaign's dates. */
export function checkCampaignOpen(field: string, campaign: CampaignRecord, at: number): void {
  if (at < campaign.startsAt) throw badInput(field, `campaign "${campaign.id}" starts at ${new Date(campaign.startsAt).toISOString()}.`);
  checkCampaignNotEnded(field, campaign, at);
}

/** Codes may be handed out before a campaign starts, never after it ends. */
export function checkCampaignNotEnded(field: string, campaign: CampaignRecord, at: number): void {
  if (campaign.endsAt !== null && at > campaign.endsAt) {
    throw badInput(field, `campaign "${campaign.id}" ended at ${new Date(campaign.endsAt).toISOString()}.`);
  }
}

/** An invite-only or waitlist campaign: its invites, sign-ups and credits keep the rules of graph/quotas.ts and graph/waitlist.ts. */
export const isLaunchCampaign = (campaign: Pick<CampaignRecord, 'inviteQuota' | 'waitlist'>) => campaign.inviteQuota != null || campaign.waitlist === true;

/**
 * The launch settings of CreateCampaignInput (see "Running an invite-only launch" in the README). Always
 * stored, so that replacing a campaign's settings replaces these too.
 */
function checkLaunchSettings(input: CreateCampaignInput) {
  const optional = (field: string, value: number | null | undefined, min: number, max: number) =>
    value === null || value === undefined ? null : checkIntRange(field, value, min, max);
  return {
    inviteQuota: optional('inviteQuota', input.inviteQuota, 0, 10_000),
    waitlist: input.waitlist ?? false,
    moveUpPerReferral: optional('moveUpPerReferral', input.moveUpPerReferral, 0, 1_000_000) ?? 0,
    earnedInvitesPerConvertedInvitee: optional('earnedInvitesPerConvertedInvitee', input.earnedInvitesPerConvertedInvitee, 0, 1000) ?? 0,
    waveSize: optional('waveSize', input.waveSize, 1, 10_000),
  };
}
