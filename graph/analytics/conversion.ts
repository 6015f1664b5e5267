import type { ConversionFilter } from '../../schema/generated/types';
import { badInput } from '../errors';
import { cypher, Graph } from '../neo4j';
import { HOUR_MS } from '../model';
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

// Per generation: a referral's generation is 1 + the number of credited referrals above its referrer
// (a root advocate's referrals are generation 1). All of one referrer's referrals share a generation,
// so it is computed once per referrer, and per-generation referrer counts add up to the overall one.
// A step counts as reached when any later step was (a sign-up by code has no click). Hours to conversion
// come back as lists so that the overall median is exact. Uses the referred_campaign index for a campaign.
// A converted referral is a repeat buyer when the invitee bought at least twice at or after the credited
// sign-up: purchases before it count for the customer's stage, not for the referral (see RECORD_PURCHASE).
// A HELD referral (graph/fraudRules.ts) counts as signed up but not as converted (nor a repeat buyer) until approved.
/**
 * The funnel steps one referral reached, as `converted`, `signedUp`, `clicked`, `repeat`: the one definition every
 * funnel uses (this one, and each community's in communities.ts).
 */
export const REFERRAL_STEPS = (r: string, invitee: string) =>
  `${r}.firstPurchaseAt IS NOT NULL AND ${r}.status <> 'HELD' AS converted,
   ${r}.signedUpAt IS NOT NULL OR ${r}.firstPurchaseAt IS NOT NULL AS signedUp,
   ${r}.clickedAt IS NOT NULL OR ${r}.signedUpAt IS NOT NULL OR ${r}.firstPurchaseAt IS NOT NULL AS clicked,
   ${r}.firstPurchaseAt IS NOT NULL AND ${r}.status <> 'HELD' AND COUNT { (${invitee})-[p:PURCHASED]->() WHERE p.at >= ${r}.signedUpAt } >= 2 AS repeat`;

const FUNNEL = cypher<GenerationRow>(
  'analytics.referralConversion',
  `MATCH (referrer:Customer)-[r:REFERRED]->(invitee:Customer)
   WHERE ($campaignId IS NULL OR r.campaign = $campaignId)
     AND ($referrerId IS NULL OR referrer.id = $referrerId)
     AND ($channel IS NULL OR r.channel = $channel)
     AND ($from IS NULL OR r.invitedAt >= $from)
     AND ($to IS NULL OR r.invitedAt < $to)
   WITH referrer, collect([r, invitee]) AS referrals
   WITH referrer, referrals,
        1 + COUNT { (referrer) (()<-[up:REFERRED WHERE up.signedUpAt IS NOT NULL]-()){1,1000} (:Customer) } AS generation
   WHERE $generation IS NULL OR generation = $generation
   UNWIND referrals AS pair
   WITH generation, referrer, pair[0] AS r, pair[1] AS invitee
   WITH generation, referrer, r,
        ${REFERRAL_STEPS('r', 'invitee')}
   RETURN generation,
          count(r) AS invited,
          count(DISTINCT referrer) AS referrers,
          count(CASE WHEN clicked THEN 1 END) AS clicked,
          count(CASE WHEN signedUp THEN 1 END) AS signedUp,
          count(CASE WHEN converted THEN 1 END) AS converted,
          count(CASE WHEN repeat THEN 1 END) AS repeatBuyers,
          collect(CASE WHEN converted THEN (r.firstPurchaseAt - r.invitedAt) / ${HOUR_MS}.0 END) AS hours
   ORDER BY generation`,
);

export interface GenerationRow {
  generation: number;
  invited: number;
  referrers: number;
  clicked: number;
  signedUp: number;
  converted: number;
  repeatBuyers: number;
  hours: number[];
}

/** The interpolated median, as Cypher's percentileCont(…, 0.5). */
export function interpolatedMedian(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = (sorted.length - 1) / 2;
  return (sorted[Math.floor(middle)] + sorted[Math.ceil(middle)]) / 2;
}

const round = (value: number, digits = 6) => Math.round(value * 10 ** digits) / 10 ** digits;

export function toFunnel(row: GenerationRow): FunnelRecord {
  const { invited, referrers } = row;
  const step = (count: number) => ({ count, rate: invited === 0 ? 0 : round(count / invited) });
  const invitesPerReferrer = referrers === 0 ? 0 : invited / referrers;
  const conversionRate = invited === 0 ? 0 : row.converted / invited;
  const medianHours = interpolatedMedian(row.hours);
  return {
    referrals: invited,
    referrers,
    invited: step(invited),
    clicked: step(row.clicked),
    signedUp: step(row.signedUp),
    converted: step(row.converted),
    repeatBuyers: step(row.repeatBuyers),
    medianHoursToConversion: medianHours === null ? null : round(medianHours, 3),
    invitesPerReferrer: round(invitesPerReferrer),
    kFactor: round(invitesPerReferrer * conversionRate),
  };
}

function combine(rows: GenerationRow[]): GenerationRow {
  const sum = (pick: (row: GenerationRow) => number) => rows.reduce((total, row) => total + pick(row), 0);
  return {
    generation: 0,
    invited: sum((row) => row.invited),
    referrers: sum((row) => row.referrers),
    clicked: sum((row) => row.clicked),
    signedUp: sum((row) => row.signedUp),
    converted: sum((row) => row.converted),
    repeatBuyers: sum((row) => row.repeatBuyers),
    hours: rows.flatMap((row) => row.hours),
  };
}

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
  const rows = await graph.read(FUNNEL, params);
  return {
    overall: toFunnel(combine(rows)),
    byGeneration: rows.map((row) => ({ generation: row.generation, funnel: toFunnel(row) })),
  };
}
