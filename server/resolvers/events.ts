import { recordEvents } from '../../graph/events';
import { authorize } from '../auth';
import type { Resolvers } from '../generated/graphql';

export const eventResolvers: Resolvers = {
  Mutation: {
    recordEvents: (_root, { events }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      return recordEvents(ctx.graph, events);
    },
  },
};
