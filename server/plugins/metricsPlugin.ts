import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from '../context';
import type { Metrics } from '../metrics';
import { INVALID_OPERATION, operationLabel } from '../operationLabel';

/**
 * Counts and times every GraphQL request by a label built from the schema's root fields (see
 * server/operationLabel.ts), never by the client's operation name, so that clients cannot grow
 * /metrics by inventing names. A request that fails before its operation resolves is `invalid`.
 */
export function metricsPlugin(metrics: Metrics): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      let label = INVALID_OPERATION;
      return {
        async didResolveOperation({ document, operation }) {
          if (operation) label = operationLabel(document, operation);
        },
        async willSendResponse({ response, errors }) {
          const failed = (errors?.length ?? 0) > 0 || (response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0);
          metrics.observeRequest(label, failed ? 'error' : 'ok', Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
