import type { ApolloServerPlugin } from '@apollo/server';
import { ERROR_CODES } from '../../graph/errors';
import type { RequestContext } from '../context';

/**
 * An answer that failed because Neo4j could not be reached is HTTP 503 with `Retry-After`, so that
 * clients, proxies and load balancers see "try again shortly" rather than a 200 to parse. This holds
 * for a query, a single mutation and a recordEvents batch alike (a batch is all or nothing, so the
 * whole of it is to be replayed, with the same idempotency keys).
 */
export function serviceUnavailablePlugin(retryAfterSeconds: number): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors ?? [];
          if (!errors.some((error) => error.extensions?.code === ERROR_CODES.SERVICE_UNAVAILABLE)) return;
          response.http.status = 503;
          response.http.headers.set('retry-after', String(retryAfterSeconds));
        },
      };
    },
  };
}
