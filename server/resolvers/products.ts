import { authorize } from '../auth';
import type { Resolvers } from '../generated/graphql';
import { listConnection } from './shared';

export const productResolvers: Resolvers = {
  Query: {
    product: (_root, { id }, ctx) => {
      authorize(ctx.caller, 'readEntities');
      return ctx.loaders.product.load(id);
    },
  },
  Product: {
    reviews: (product, args, ctx) => listConnection(ctx, 'productReviews', product.id, args),
  },
};
