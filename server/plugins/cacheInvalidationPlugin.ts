import type { ApolloServerPlugin } from '@apollo/server';
import type { AnalyticsCache } from '../cache/analyticsCache';
import type { RequestContext } from '../context';

/**
 * A mutation may have changed the graph: the cache moves to a new version before the response
 * leaves, so the caller's next read cannot be served an answer from before its write.
 */
export function cacheInvalidationPlugin(cache: AnalyticsCache): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operation, contextValue }) {
          if (operation?.operation !== 'mutation') return;
          try {
            await cache.graphChanged();
          } catch (error) {
            contextValue.log.error({ err: error }, 'could not invalidate the analytics cache');
          }
        },
      };
    },
  };
}
