import { authorize } from '../auth';
import type { Resolvers } from '../generated/graphql';
import { loadCustomer, loadProduct } from './shared';

export const purchaseResolvers: Resolvers = {
  Mutation: {
    recordPurchase: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      return (await ctx.events.record('RECORD_PURCHASE', input)).result;
    },
  },
  Purchase: {
    customer: (purchase, _args, ctx) => loadCustomer(ctx, purchase.customerId),
    product: (purchase, _args, ctx) => loadProduct(ctx, purchase.productId),
  },
};
