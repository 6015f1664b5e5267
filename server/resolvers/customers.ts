import { eraseCustomer, recordEvent } from '../../graph/events';
import { disconnectCustomers } from '../../graph/customers';
import { authorize, can } from '../auth';
import type { Resolvers } from '../generated/graphql';
import { GraphQLError } from 'graphql';
import { listConnection } from './connections';

const required = <T>(value: T | null, what: string): T => {
  if (value === null) throw new Error(`${what} vanished while the request ran`);
  return value;
};

export const customerResolvers: Resolvers = {
  Query: {
    customer: (_root, { id }, ctx) => {
      authorize(ctx.caller, 'readEntities');
      return ctx.loaders.customer.load(id);
    },
    product: (_root, { id }, ctx) => {
      authorize(ctx.caller, 'readEntities');
      return ctx.loaders.product.load(id);
    },
  },
  Mutation: {
    upsertCustomer: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      return (await recordEvent(ctx.graph, 'UPSERT_CUSTOMER', input)).result;
    },
    connectCustomers: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      const { result } = await recordEvent(ctx.graph, 'CONNECT_CUSTOMERS', input);
      const [customer, other] = await Promise.all([ctx.loaders.customer.load(result.customerId), ctx.loaders.customer.load(result.otherId)]);
      return { customer: required(customer, 'customer'), other: required(other, 'customer'), strength: result.strength, since: result.since };
    },
    disconnectCustomers: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      return { removed: await disconnectCustomers(ctx.graph, input) };
    },
    follow: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      const { result } = await recordEvent(ctx.graph, 'FOLLOW', input);
      const [follower, followed] = await Promise.all([ctx.loaders.customer.load(result.followerId), ctx.loaders.customer.load(result.followedId)]);
      return { follower: required(follower, 'customer'), followed: required(followed, 'customer') };
    },
    recordPurchase: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      return (await recordEvent(ctx.graph, 'RECORD_PURCHASE', input)).result;
    },
    recordReview: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      return (await recordEvent(ctx.graph, 'RECORD_REVIEW', input)).result;
    },
    eraseCustomer: async (_root, { id }, ctx) => {
      authorize(ctx.caller, 'eraseCustomers');
      return { erased: await eraseCustomer(ctx.graph, id) };
    },
  },
  Customer: {
    email: (customer, _args, ctx) => {
      if (!can(ctx.caller, 'readPersonalData')) {
        throw new GraphQLError(`The ${ctx.caller.role} role may not read personal data (Customer.email).`, { extensions: { code: 'FORBIDDEN' } });
      }
      return customer.email;
    },
    connections: (customer, args, ctx) => listConnection(ctx, 'connections', customer.id, args, (edge) => edge),
    following: (customer, args, ctx) => listConnection(ctx, 'following', customer.id, args, (edge) => edge),
    followers: (customer, args, ctx) => listConnection(ctx, 'followers', customer.id, args, (edge) => edge),
    referredBy: (customer, _args, ctx) => ctx.loaders.referredBy.load(customer.id),
    referrals: (customer, args, ctx) => listConnection(ctx, 'referrals', customer.id, args),
    reviews: (customer, args, ctx) => listConnection(ctx, 'customerReviews', customer.id, args),
    purchases: (customer, args, ctx) => listConnection(ctx, 'purchases', customer.id, args),
    referralCodes: (customer, _args, ctx) => ctx.loaders.referralCodes.load(customer.id),
  },
  Product: {
    reviews: (product, args, ctx) => listConnection(ctx, 'productReviews', product.id, args),
  },
  Purchase: {
    customer: async (purchase, _args, ctx) => required(await ctx.loaders.customer.load(purchase.customerId), 'customer'),
    product: async (purchase, _args, ctx) => required(await ctx.loaders.product.load(purchase.productId), 'product'),
  },
  Review: {
    customer: async (review, _args, ctx) => required(await ctx.loaders.customer.load(review.customerId), 'customer'),
    product: async (review, _args, ctx) => required(await ctx.loaders.product.load(review.productId), 'product'),
  },
};

export { required };
