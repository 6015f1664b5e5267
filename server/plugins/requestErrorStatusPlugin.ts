import type { ApolloServerPlugin } from '@apollo/server';
import { ERROR_CODES } from '../../graph/errors';
import type { RequestContext } from '../context';

/**
 * A request refused before execution (no `data` in the answer) is the client's error: HTTP 400 unless a
 * 4xx was already chosen. Apollo answers some of these with 200, PERSISTED_QUERY_NOT_SUPPORTED among them
 * (this service does not support automatic persisted queries: clients send the query text).
 */
export function requestErrorStatusPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { singleResult } = response.body;
          const errors = singleResult.errors ?? [];
          if ('data' in singleResult || errors.length === 0) return;
          if (errors.some((error) => error.extensions?.code === ERROR_CODES.INTERNAL_SERVER_ERROR)) return;
          if (response.http.status === undefined || response.http.status === 200) response.http.status = 400;
        },
      };
    },
  };
}
