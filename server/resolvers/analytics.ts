import { referralChain } from '../../graph/analytics/chain';
import { influencerReach, MAX_TOP_LIMIT, RankingRecord } from '../../graph/analytics/influence';
import { hopBound } from '../../graph/analytics/kinds';
import { degreesOfSeparation, SeparationRecord, separationProfile } from '../../graph/analytics/separation';
import { degreesOfSeparationMany } from '../../graph/analytics/separationMany';
import { checkId } from '../../graph/validate';
import type { InfluenceMeasure } from '../../schema/generated/types';
import { authorize } from '../auth';
import type { RequestContext } from '../context';
import type { Resolvers } from '../generated/graphql';
import { conversionQuestion, rankingQuestion } from '../wholeGraphSnapshots';
import { loadCustomer as customer, loadCustomers as customers } from './shared';

// Analytics answers are cached holding customer ids only (no personal data in Redis);
// customers are loaded afresh, in one batch, for the fields the caller asked for.
// Rankings and the funnel read the whole graph: they are served from snapshots refreshed in the background
// (server/wholeGraphSnapshots.ts) and carry their `asOf`; writes do not invalidate them. A question with no
// snapshot yet is computed once within the caller's share (ctx.wholeGraph), callers sharing it take one slot.
//
// Separation is the exception: it is exact, per pair and cheap (a few ms in Neo4j), so a cache entry would
// rarely be hit again and would cost three Redis round trips on every miss. It is computed on every call,
// its query returns the path's customers, and they prime the request's loader, so nothing is queried twice
// and nothing about a customer reaches Redis.

/** The ranking's snapshot cut to `limit` entries, each with its customer loaded afresh. */
async function ranking(ctx: RequestContext, args: { by: InfluenceMeasure; campaignId?: string | null; limit: number }) {
  const limit = hopBound('limit', args.limit, MAX_TOP_LIMIT);
  const campaignId = args.campaignId ? checkId('campaignId', args.campaignId) : null;
  const snapshot = await ctx.snapshots.serve<RankingRecord[]>(rankingQuestion(args.by, campaignId), ctx.wholeGraph);
  const entries = await Promise.all(
    snapshot.value.slice(0, limit).map(async (entry, index) => ({ rank: index + 1, score: entry.score, customer: await customer(ctx, entry.customerId) })),
  );
  return { asOf: snapshot.asOf, entries };
}

/** Hands the path's customers to the request's loader, so other fields of this request reuse them. */
function primed(ctx: RequestContext, separation: SeparationRecord): SeparationRecord {
  for (const customer of separation.path) ctx.loaders.customer.prime(customer.id, customer);
  return separation;
}

export const analyticsResolvers: Resolvers = {
  Query: {
    degreesOfSeparation: async (_root, args, ctx) => {
      authorize(ctx.caller, 'readAnalytics');
      return primed(ctx, await degreesOfSeparation(ctx.graph, args.from, args.to, args.via, args.maxHops));
    },
    degreesOfSeparationMany: async (_root, args, ctx) => {
      authorize(ctx.caller, 'readAnalytics');
      const separations = await degreesOfSeparationMany(ctx.graph, args.from, args.to, args.via, args.maxHops);
      return separations.map((separation) => primed(ctx, separation));
    },
    separationProfile: (_root, args, ctx) => {
      authorize(ctx.caller, 'readAnalytics');
      return ctx.cache.remember('separationProfile', args, () => separationProfile(ctx.graph, args.customerId, args.via, args.maxHops));
    },
    influencerReach: async (_root, args, ctx) => {
      authorize(ctx.caller, 'readAnalytics');
      const reach = await ctx.cache.remember('influencerReach', args, () => influencerReach(ctx.graph, args.customerId, args.maxDepth));
      return { ...reach, customer: await customer(ctx, reach.customerId) };
    },
    influencerRanking: (_root, args, ctx) => {
      authorize(ctx.caller, 'readAnalytics');
      return ranking(ctx, args);
    },
    topInfluencers: async (_root, args, ctx) => {
      authorize(ctx.caller, 'readAnalytics');
      return (await ranking(ctx, args)).entries;
    },
    referralConversion: async (_root, args, ctx) => {
      authorize(ctx.caller, 'readAnalytics');
      const snapshot = await ctx.snapshots.serve(conversionQuestion(args.filter), ctx.wholeGraph);
      return { ...snapshot.value, asOf: snapshot.asOf };
    },
    referralChain: async (_root, args, ctx) => {
      authorize(ctx.caller, 'readAnalytics');
      const chain = await ctx.cache.remember('referralChain', args, () => referralChain(ctx.graph, args.customerId, args.maxDepth));
      return {
        customer: await customer(ctx, chain.customerId),
        upward: await customers(ctx, chain.upward),
        root: await customer(ctx, chain.rootId),
        downward: await Promise.all(chain.downward.map(async (node) => ({ ...node, customer: await customer(ctx, node.customerId) }))),
        truncated: chain.truncated,
        nodeLimit: chain.nodeLimit,
        cycleDetected: chain.cycleDetected,
      };
    },
  },
};
