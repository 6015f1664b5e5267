import DataLoader from 'dataloader';
import { FraudRingRecord } from '../../graph/analytics/fraudRings';
import { badInput } from '../../graph/errors';
import { reviewKey, reviewSuspicion } from '../../graph/reviewFlags';
import type { ReviewSuspicionReason } from '../../schema/generated/types';
import { authorize } from '../auth';
import type { RequestContext } from '../context';
import type { Resolvers } from '../generated/graphql';
import { fraudRingsQuestion } from '../wholeGraphSnapshots';
import { fraudRingMembers, loadCustomers } from './shared';

// Fraud rings come from a snapshot (whole graph, background, `asOf`); members are loaded afresh, so erased or
// renamed customers show as they are now. Review flags use the stored rings snapshot when there is one and never
// compute it for a review field.

export const MAX_RINGS_LIMIT = 100;

const suspicionLoaders = new WeakMap<RequestContext, DataLoader<{ customerId: string; productId: string }, ReviewSuspicionReason[], string>>();

function suspicionLoader(ctx: RequestContext) {
  let loader = suspicionLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(
      async (reviews) => {
        const reasons = await reviewSuspicion(ctx.graph, reviews, new Set(await fraudRingMembers(ctx)));
        return reviews.map((review) => reasons.get(reviewKey(review)) ?? []);
      },
      { cacheKeyFn: reviewKey },
    );
    suspicionLoaders.set(ctx, loader);
  }
  return loader;
}

export const fraudResolvers: Resolvers = {
  Query: {
    fraudRings: async (_root, args, ctx) => {
      authorize(ctx.caller, 'reviewFraud');
      const minSize = args.minSize ?? 3;
      const limit = args.limit ?? 20;
      if (!Number.isInteger(minSize) || minSize < 2 || minSize > 1000) throw badInput('minSize', 'minSize must be a whole number from 2 to 1000.');
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RINGS_LIMIT) throw badInput('limit', `limit must be a whole number from 1 to ${MAX_RINGS_LIMIT}.`);
      const snapshot = await ctx.snapshots.serve<FraudRingRecord[]>(fraudRingsQuestion(), ctx.wholeGraph);
      return { asOf: snapshot.asOf, rings: snapshot.value.filter((ring) => ring.size >= minSize).slice(0, limit) };
    },
  },
  FraudRing: {
    members: (ring, _args, ctx) => loadCustomers(ctx, ring.memberIds),
  },
  Review: {
    suspicious: async (review, _args, ctx) => (await suspicionLoader(ctx).load(review)).length > 0,
    suspicionReasons: (review, _args, ctx) => suspicionLoader(ctx).load(review),
  },
};
