import type { CreateCampaignInput } from '../schema/generated/types';
import { badInput, withinField } from './errors';
import { CampaignRecord, TEXT_LIMITS } from './model';
import { cypher, Graph } from './neo4j';
import { checkId, checkIntRange, checkText } from './validate';

export const CAMPAIGN_PROJECTION =
  '{.id, .name, .startsAt, .endsAt, .attributionWindowDays, .attributionModel, .referrerReward, .friendReward}';

const UPSERT_CAMPAIGN = cypher<{ campaign: CampaignRecord }>(
  'campaign.upsert',
  `MERGE (c:Campaign {id: $id})
   SET c += $fields
   RETURN c ${CAMPAIGN_PROJECTION} AS campaign`,
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
    };
    const [row] = await graph.write(UPSERT_CAMPAIGN, { id, fields });
    return row.campaign;
  });
}

const CAMPAIGNS_BY_ID = cypher<{ campaign: CampaignRecord }>(
  'campaign.byIds',
  `UNWIND $ids AS id MATCH (c:Campaign {id: id}) RETURN c ${CAMPAIGN_PROJECTION} AS campaign`,
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
