import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ERROR_CODES } from '../../graph/errors';
import type { Config } from '../config';
import type { RequestContext } from '../context';
import { checkOperationSize, measureOperation } from '../bounds/limits';

type LimitsConfig = Pick<Config, 'MAX_QUERY_DEPTH' | 'MAX_QUERY_COST' | 'MAX_ROOT_FIELDS'>;

/**
 * Refuses, before anything resolves, an operation the service does not offer, one deeper or costlier
 * than the limits, or one with too many root fields. (A document too large to validate cheaply was
 * refused before Apollo, by server/http/documentBounds.ts.)
 */
export function limitsPlugin(config: LimitsConfig): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          if (operation.operation === 'subscription') {
            throw new GraphQLError('Subscriptions are served over WebSocket (graphql-ws protocol) on this URL, not over HTTP.', {
              extensions: { code: ERROR_CODES.OPERATION_NOT_SUPPORTED, http: { status: 400 } },
            });
          }
          const size = measureOperation(schema, document, operation, request.variables ?? {}, config.MAX_QUERY_DEPTH);
          checkOperationSize(size, { maxDepth: config.MAX_QUERY_DEPTH, maxCost: config.MAX_QUERY_COST, maxRootFields: config.MAX_ROOT_FIELDS });
        },
      };
    },
  };
}
