import type { ApolloServerPlugin } from '@apollo/server';
import type { Config } from '../config';
import type { RequestContext } from '../context';
import { checkOperationSize, measureOperation } from '../limits';

/** Refuses an operation deeper or costlier than the configured limits before anything resolves. */
export function limitsPlugin(config: Pick<Config, 'MAX_QUERY_DEPTH' | 'MAX_QUERY_COST'>): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          checkOperationSize(measureOperation(schema, document, operation, request.variables ?? {}), {
            maxDepth: config.MAX_QUERY_DEPTH,
            maxCost: config.MAX_QUERY_COST,
          });
        },
      };
    },
  };
}
