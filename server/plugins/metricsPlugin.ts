import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from '../context';
import type { Metrics } from '../metrics';

/** Counts and times every GraphQL request by operation name and outcome. */
export function metricsPlugin(metrics: Metrics): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operationName, response, errors }) {
          const failed = (errors?.length ?? 0) > 0 || (response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0);
          metrics.observeRequest(operationName ?? 'anonymous', failed ? 'error' : 'ok', Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
