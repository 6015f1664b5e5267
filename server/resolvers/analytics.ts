import { referralChain } from '../../graph/analytics/chain';
import { referralConversion } from '../../graph/analytics/conversion';
import { influencerReach, topInfluencers } from '../../graph/analytics/influence';
import { degreesOfSeparation, separationProfile } from '../../graph/analytics/separation';
import { authorize } from '../auth';
import type { Resolvers } from '../generated/graphql';
import { loadCustomer as customer, loadCustomers as customers } from './shared';

// Analytics answers are cached holding customer ids only (no personal data in Redis);
// customers are loaded afresh, in one batch, for the fields the caller asked for.
// Rankings and the funnel read the whole graph: they run within the caller's share (ctx.wholeGraph),
// inside the cache's single flight, so callers sharing a computation take one slot.

export const analyticsResolvers: Resolvers = {
  Query: {
    degreesOfSeparation: async (_root, args, ctx) => {
      authorize(ctx.caller, 'readAnalytics');
      const result = await ctx.cache.remember('degreesOfSeparation', args, () => degreesOfSeparation(ctx.graph, args.from, args.to, args.via, args.maxHops));
      return { degrees: result.degrees, path: await customers(ctx, result.path) };
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
    topInfluencers: async (_root, args, ctx) => {
      authorize(ctx.caller, 'readAnalytics');
      const ranking = await ctx.cache.remember('topInfluencers', args, () => ctx.wholeGraph(() => topInfluencers(ctx.graph, args.by, args.campaignId, args.limit)));
      return Promise.all(ranking.map(async (entry, index) => ({ rank: index + 1, score: entry.score, customer: await customer(ctx, entry.customerId) })));
    },
    referralConversion: (_root, args, ctx) => {
      authorize(ctx.caller, 'readAnalytics');
      return ctx.cache.remember('referralConversion', args, () => ctx.wholeGraph(() => referralConversion(ctx.graph, args.filter)));
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
      };
    },
  },
};
