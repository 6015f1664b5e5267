import { serviceInfo } from '../../graph/serviceInfo';
import type { Resolvers } from '../generated/graphql';
import { version } from '../../package.json';

export const serviceResolvers: Resolvers = {
  Query: {
    serviceInfo: async (_root, _args, ctx) => ({ ...(await serviceInfo(ctx.graph)), version, role: ctx.caller.role }),
  },
};
