import type { BridgesRecord } from '../../graph/analytics/bridges';
import { MAX_BRIDGES } from '../../graph/analytics/bridges';
import {
  ALL_KINDS,
  canonicalVia,
  checkAlgorithm,
  checkCommunityLimit,
  checkMinSize,
  communitiesJoined,
  CommunitiesRecord,
  communityOf,
  CommunityRecord,
} from '../../graph/analytics/communities';
import { customerEngagementLevel, EngagementRecord } from '../../graph/analytics/engagement';
import { hopBound } from '../../graph/analytics/kinds';
import type { CommunityAlgorithm, ConnectionKind } from '../../schema/generated/types';
import { authorize } from '../auth';
import type { RequestContext } from '../context';
import type { Resolvers } from '../generated/graphql';
import { bridgesQuestion, communitiesQuestion, engagementQuestion } from '../wholeGraphSnapshots';
import { loadCustomer as customer } from './shared';

// Communities, bridges and engagement levels read the whole graph: they are served from snapshots that the
// community-refresh job recomputes in the background (server/jobs/index.ts) and carry their `asOf`.
// Snapshots hold ids and counts only; customers are loaded afresh for the fields asked.

function communitiesSnapshot(ctx: RequestContext, algorithm: CommunityAlgorithm, via: readonly ConnectionKind[] | null | undefined, field: string) {
  return ctx.snapshots.serve<CommunitiesRecord>(communitiesQuestion(checkAlgorithm('algorithm', algorithm), canonicalVia(field, via)), ctx.wholeGraph);
}

async function community(ctx: RequestContext, record: CommunityRecord) {
  return {
    ...record,
    topAdvocates: await Promise.all(record.topAdvocates.map(async (advocate) => ({ ...advocate, customer: await customer(ctx, advocate.customerId) }))),
  };
}

async function bridges(ctx: RequestContext, snapshot: { asOf: number; value: BridgesRecord }, limit: number) {
  const top = snapshot.value.bridges.slice(0, limit);
  const communities = await communitiesSnapshot(ctx, 'LEIDEN', ALL_KINDS, 'via');
  const joined = await communitiesJoined(ctx.graph, communities.value, top.map((bridge) => bridge.customerId));
  return {
    asOf: snapshot.asOf,
    customers: snapshot.value.customers,
    samplingSize: snapshot.value.samplingSize,
    samplingSeed: snapshot.value.samplingSeed,
    entries: await Promise.all(
      top.map(async (bridge, index) => ({
        rank: index + 1,
        betweenness: bridge.betweenness,
        customer: await customer(ctx, bridge.customerId),
        joins: joined.get(bridge.customerId) ?? [],
      })),
    ),
  };
}

function engagement(snapshot: { asOf: number; value: EngagementRecord }) {
  const { settings } = snapshot.value;
  return {
    asOf: snapshot.asOf,
    periodEnd: snapshot.value.periodEnd,
    customers: snapshot.value.customers,
    levels: snapshot.value.levels,
    transitions: snapshot.value.transitions,
    settings: {
      purchaseWeight: settings.weights.purchase,
      referralWeight: settings.weights.referral,
      reviewWeight: settings.weights.review,
      followWeight: settings.weights.follow,
      periodDays: settings.periodDays,
      presenceDays: settings.presenceDays,
      leadingScore: settings.leadingScore,
      contributingScore: settings.contributingScore,
    },
  };
}

export const communityResolvers: Resolvers = {
  Query: {
    communities: async (_root, args, ctx) => {
      authorize(ctx.caller, 'readCommunities');
      const minSize = checkMinSize('minSize', args.minSize);
      const limit = checkCommunityLimit('limit', args.limit);
      const snapshot = await communitiesSnapshot(ctx, args.algorithm, args.via, 'via');
      const { communities, ...summary } = snapshot.value;
      const listed = communities.filter((record) => record.size >= minSize).slice(0, limit);
      return { ...summary, asOf: snapshot.asOf, communities: await Promise.all(listed.map((record) => community(ctx, record))) };
    },
    bridges: async (_root, args, ctx) => {
      authorize(ctx.caller, 'readCommunities');
      const limit = hopBound('limit', args.limit ?? 20, MAX_BRIDGES);
      return bridges(ctx, await ctx.snapshots.serve(bridgesQuestion(ctx.community.bridgeSampling), ctx.wholeGraph), limit);
    },
    engagementLevels: async (_root, _args, ctx) => {
      authorize(ctx.caller, 'readCommunities');
      return engagement(await ctx.snapshots.serve(engagementQuestion(ctx.community.engagement), ctx.wholeGraph));
    },
  },
  Customer: {
    community: async (parent, args, ctx) => {
      authorize(ctx.caller, 'readCommunities');
      const snapshot = await communitiesSnapshot(ctx, args.algorithm, args.via, 'via');
      const record = await communityOf(ctx.graph, snapshot.value, parent.id);
      return record === null ? null : community(ctx, record);
    },
    engagementLevel: async (parent, _args, ctx) => {
      authorize(ctx.caller, 'readCommunities');
      // The parent was just loaded, so the customer exists; EXPLORING covers a customer erased in between.
      return (await customerEngagementLevel(ctx.graph, parent.id, ctx.community.engagement)) ?? 'EXPLORING';
    },
  },
};
