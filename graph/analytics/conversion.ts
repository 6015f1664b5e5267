import type { ConversionFilter } from '../../server/generated/graphql';
import { badInput } from '../errors';
import { cypher, Graph } from '../neo4j';
import { checkChannel, checkId } from '../validate';

export interface FunnelStepRecord {
  count: number;
  rate: number;
}

export interface FunnelRecord {
  referrals: number;
  referrers: number;
  invited: FunnelStepRecord;
  clicked: FunnelStepRecord;
  signedUp: FunnelStepRecord;
  converted: FunnelStepRecord;
  repeatBuyers: FunnelStepRecord;
  medianHoursToConversion: number | null;
  invitesPerReferrer: number;
  kFactor: number;
}

export interface ReferralConversionRecord {
  overall: FunnelRecord;
  byGeneration: Array<{ generation: number; funnel: FunnelRecord }>;
}

// Each referral matching the filter, with its generation: 1 + the number of credited referrals above
// its referrer (a root advocate's referrals are generation 1). A step counts as reached when any later
// step was (a sign-up by code has no click). Uses the referred_campaign index when a campaign is given.
const FUNNEL = cypher(
  'analytics.referralConversion',
  `MATCH (referrer:Customer)-[r:REFERRED]->(invitee:Customer)
   WHERE ($campaignId IS NULL OR r.campaign = $campaignId)
     AND ($referrerId IS NULL OR referrer.id = $referrerId)
     AND ($channel IS NULL OR r.channel = $channel)
     AND ($from IS NULL OR r.invitedAt >= $from)
     AND ($to IS NULL OR r.invitedAt < $to)
   WITH referrer, r, invitee,
        1 + COUNT { (referrer) (()<-[up:REFERRED WHERE up.signedUpAt IS NOT NULL]-()){1,1000} (:Customer) } AS generation
   WHERE $generation IS NULL OR generation = $generation
   WITH referrer, r, generation,
        r.firstPurchaseAt IS NOT NULL AS converted,
        r.signedUpAt IS NOT NULL OR r.firstPurchaseAt IS NOT NULL AS signedUp,
        r.clickedAt IS NOT NULL OR r.signedUpAt IS NOT NULL OR r.firstPurchaseAt IS NOT NULL AS clicked,
        r.firstPurchaseAt IS NOT NULL AND COUNT { (invitee)-[:PURCHASED]->() } >= 2 AS repeat
   WITH CASE WHEN $perGeneration THEN generation ELSE 0 END AS generation, referrer, r, clicked, signedUp, converted, repeat
   RETURN generation,
          count(r) AS invited,
          count(DISTINCT referrer) AS referrers,
          count(CASE WHEN clicked THEN 1 END) AS clicked,
          count(CASE WHEN signedUp THEN 1 END) AS signedUp,
          count(CASE WHEN converted THEN 1 END) AS converted,
          count(CASE WHEN repeat THEN 1 END) AS repeatBuyers,
          percentileCont(CASE WHEN converted THEN (r.firstPurchaseAt - r.invitedAt) / 3600000.0 END, 0.5) AS medianHours
   ORDER BY generation`,
);

const round = (value: number, digits = 6) => Math.round(value * 10 ** digits) / 10 ** digits;

export function toFunnel(row: Record<string, unknown>): FunnelRecord {
  const invited = row.invited as number;
  const referrers = row.referrers as number;
  const step = (count: number) => ({ count, rate: invited === 0 ? 0 : round(count / invited) });
  const invitesPerReferrer = referrers === 0 ? 0 : invited / referrers;
  const conversionRate = invited === 0 ? 0 : (row.converted as number) / invited;
  return {
    referrals: invited,
    referrers,
    invited: step(invited),
    clicked: step(row.clicked as number),
    signedUp: step(row.signedUp as number),
    converted: step(row.converted as number),
    repeatBuyers: step(row.repeatBuyers as number),
    medianHoursToConversion: row.medianHours === null || row.medianHours === undefined ? null : round(row.medianHours as number, 3),
    invitesPerReferrer: round(invitesPerReferrer),
    kFactor: round(invitesPerReferrer * conversionRate),
  };
}

const EMPTY = { invited: 0, referrers: 0, clicked: 0, signedUp: 0, converted: 0, repeatBuyers: 0, medianHours: null };

export async function referralConversion(graph: Graph, filter: ConversionFilter | null | undefined): Promise<ReferralConversionRecord> {
  const params = {
    campaignId: filter?.campaignId ? checkId('filter.campaignId', filter.campaignId) : null,
    referrerId: filter?.referrerId ? checkId('filter.referrerId', filter.referrerId) : null,
    channel: filter?.channel ? checkChannel('filter.channel', filter.channel) : null,
    from: filter?.from ?? null,
    to: filter?.to ?? null,
    generation: filter?.generation ?? null,
  };
  if (params.generation !== null && (!Number.isInteger(params.generation) || params.generation < 1)) {
    throw badInput('filter.generation', 'filter.generation must be a whole number from 1.');
  }
  if (params.from !== null && params.to !== null && params.to <= params.from) throw badInput('filter.to', 'filter.to must be after filter.from.');
  return graph.readTransaction(async (tx) => {
    const [overall] = await tx.run(FUNNEL, { ...params, perGeneration: false });
    const generations = await tx.run(FUNNEL, { ...params, perGeneration: true });
    return {
      overall: toFunnel(overall ?? EMPTY),
      byGeneration: generations.map((row) => ({ generation: row.generation as number, funnel: toFunnel(row) })),
    };
  });
}
