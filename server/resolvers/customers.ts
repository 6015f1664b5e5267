import { disconnectCustomers, eraseCustomer } from '../../graph/customers';
import { authorize } from '../auth';
import type { Resolvers } from '../generated/graphql';
import { listConnection, loadCustomer } from './shared';

export const customerResolvers: Resolvers = {
  Query: {
    customer: (_root, { id }, ctx) => {
      authorize(ctx.caller, 'readEntities');
      return ctx.loaders.customer.load(id);
    },
  },
  Mutation: {
    upsertCustomer: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      return (await ctx.events.record('UPSERT_CUSTOMER', input)).result;
    },
    connectCustomers: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      return (await ctx.events.record('CONNECT_CUSTOMERS', input)).result;
    },
    disconnectCustomers: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      return { removed: await disconnectCustomers(ctx.graph, input) };
    },
    follow: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      return (await ctx.events.record('FOLLOW', input)).result;
    },
    eraseCustomer: async (_root, { id }, ctx) => {
      authorize(ctx.caller, 'eraseCustomers');
      return { erased: await eraseCustomer(ctx.graph, id) };
    },
  },
  // A write's answer names its customers by id; they are loaded (together, by the request's loader) only when asked for.
  SocialTie: {
    customer: (tie, _args, ctx) => loadCustomer(ctx, tie.customerId),
    other: (tie, _args, ctx) => loadCustomer(ctx, tie.otherId),
  },
  FollowResult: {
    follower: (follow, _args, ctx) => loadCustomer(ctx, follow.followerId),
    followed: (follow, _args, ctx) => loadCustomer(ctx, follow.followedId),
  },
  Customer: {
    email: (customer, _args, ctx) => {
      authorize(ctx.caller, 'readPersonalData');
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
};
