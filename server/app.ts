import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { Graph } from '../graph/neo4j';
import { AnalyticsCache } from './cache/analyticsCache';
import type { KeyValueStore } from './cache/store';
import type { ApiKey, Config } from './config';
import type { RequestContext } from './context';
import { createErrorFormatter } from './errors';
import { authenticate } from './http/authenticate';
import { errorHandler } from './http/errorHandler';
import { locals } from './http/locals';
import { probes } from './http/probes';
import { rateLimit } from './http/rateLimit';
import { requestLog } from './http/requestLog';
import { createLoaders } from './loaders';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import { cacheInvalidationPlugin } from './plugins/cacheInvalidationPlugin';
import { limitsPlugin } from './plugins/limitsPlugin';
import { metricsPlugin } from './plugins/metricsPlugin';
import { serviceUnavailablePlugin } from './plugins/serviceUnavailablePlugin';
import { buildResolvers } from './resolvers';
import { loadTypeDefs } from './schema';

export interface AppDeps {
  config: Pick<
    Config,
    'MAX_QUERY_DEPTH' | 'MAX_QUERY_COST' | 'MAX_BODY_BYTES' | 'RATE_LIMIT_PER_MINUTE' | 'CACHE_TTL_SECONDS' | 'PROBE_TIMEOUT_SECONDS' | 'RETRY_AFTER_SECONDS'
  >;
  apiKeys: ApiKey[];
  graph: Graph;
  store: KeyValueStore;
  log: Logger;
  metrics: Metrics;
}

export interface App {
  app: express.Express;
  /** Stops Apollo; the caller closes the HTTP server, the driver and the store it gave. */
  stop(): Promise<void>;
}

/** The HTTP application: probes, then for /graphql authentication, rate limit, body limit and Apollo. */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config, graph, store, log, metrics } = deps;
  const cache = new AnalyticsCache(store, config.CACHE_TTL_SECONDS);

  const apollo = new ApolloServer<RequestContext>({
    typeDefs: loadTypeDefs(),
    // The generated Resolvers type maps parents to graph/ records; Apollo's own resolver type cannot say that.
    resolvers: buildResolvers() as never,
    formatError: createErrorFormatter(log),
    plugins: [limitsPlugin(config), metricsPlugin(metrics), cacheInvalidationPlugin(cache), serviceUnavailablePlugin(config.RETRY_AFTER_SECONDS)],
    includeStacktraceInErrorResponses: false,
    // Shutdown is ordered by server/runtime.ts; Apollo must not race it on SIGTERM.
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  app.use(requestLog(log));
  app.use(probes(graph, store, metrics, config.PROBE_TIMEOUT_SECONDS * 1000));
  app.use('/graphql', authenticate(deps.apiKeys));
  app.use('/graphql', rateLimit(store, config.RATE_LIMIT_PER_MINUTE));
  app.use('/graphql', express.json({ limit: config.MAX_BODY_BYTES }));
  app.use(
    '/graphql',
    expressMiddleware(apollo, {
      context: async ({ res }) => {
        const { caller, requestId, log: requestLog } = locals(res);
        return { caller: caller!, requestId, log: requestLog, graph, cache, loaders: createLoaders(graph) };
      },
    }),
  );
  app.use(errorHandler(log, config.MAX_BODY_BYTES));

  return { app, stop: () => apollo.stop() };
}
