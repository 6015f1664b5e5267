import { authorize } from '../auth';
import type { Resolvers } from '../generated/graphql';
import { loadCustomer, loadProduct } from './shared';

export const reviewResolvers: Resolvers = {
  Mutation: {
    recordReview: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      return (await ctx.events.record('RECORD_REVIEW', input)).result;
    },
  },
  Review: {
    customer: (review, _args, ctx) => loadCustomer(ctx, review.customerId),
    product: (review, _args, ctx) => loadProduct(ctx, review.productId),
  },
};
