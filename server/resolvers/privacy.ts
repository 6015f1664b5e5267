import { exportCustomer } from '../../graph/privacy';
import { authorize } from '../auth';
import type { Resolvers } from '../generated/graphql';

export const privacyResolvers: Resolvers = {
  Query: {
    exportCustomer: (_root, { id }, ctx) => {
      authorize(ctx.caller, 'exportCustomers');
      return exportCustomer(ctx.graph, id);
    },
  },
};
