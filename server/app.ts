import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { Graph } from '../graph/neo4j';
import { AnalyticsCache } from './cache/analyticsCache';
import { snapshotStoreFor } from './cache/snapshots';
import type { KeyValueStore } from './cache/store';
import type { ApiKey, Config } from './config';
import type { RequestContext } from './context';
import { createErrorFormatter } from './errors';
import { authenticate } from './http/authenticate';
import { dashboard } from './http/dashboard';
import { documentBounds } from './http/documentBounds';
import { errorHandler } from './http/errorHandler';
import { locals } from './http/locals';
import { metricsEndpoint } from './http/metricsEndpoint';
import { probes } from './http/probes';
import { rateLimit } from './http/rateLimit';
import { requestLog } from './http/requestLog';
import { securityHeaders } from './http/securityHeaders';
import { createLoaders } from './loaders';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import { cacheInvalidationPlugin } from './plugins/cacheInvalidationPlugin';
import { limitsPlugin } from './plugins/limitsPlugin';
import { metricsPlugin } from './plugins/metricsPlugin';
import { requestErrorStatusPlugin } from './plugins/requestErrorStatusPlugin';
import { schemaVisibilityPlugin } from './plugins/schemaVisibilityPlugin';
import { serviceUnavailablePlugin } from './plugins/serviceUnavailablePlugin';
import { buildResolvers } from './resolvers';
import { boundedStringify } from './bounds/responseSize';
import { loadTypeDefs } from './schema';
import { WholeGraphGate } from './bounds/wholeGraphGate';
import { SnapshotServer } from './wholeGraphSnapshots';

export interface AppDeps {
  config: Pick<
    Config,
    | 'NODE_ENV'
    | 'SCHEMA_DETAILS_ROLES'
    | 'METRICS_PORT'
    | 'METRICS_KEY'
    | 'MAX_QUERY_DEPTH'
    | 'MAX_QUERY_COST'
    | 'MAX_QUERY_TOKENS'
    | 'MAX_QUERY_SELECTIONS'
    | 'MAX_ROOT_FIELDS'
    | 'MAX_RESPONSE_BYTES'
    | 'MAX_BODY_BYTES'
    | 'RATE_LIMIT_PER_MINUTE'
    | 'CACHE_TTL_SECONDS'
    | 'WHOLE_GRAPH_CONCURRENCY_PER_KEY'
    | 'WHOLE_GRAPH_WAIT_MS'
    | 'PROBE_TIMEOUT_SECONDS'
    | 'RETRY_AFTER_SECONDS'
  >;
  apiKeys: ApiKey[];
  graph: Graph;
  store: KeyValueStore;
  log: Logger;
  metrics: Metrics;
  /** The built dashboard (scripts/buildDashboard.ts); dist/dashboard unless given. */
  dashboardDir?: string;
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
  const snapshots = new SnapshotServer(graph, snapshotStoreFor(store));
  const production = config.NODE_ENV === 'production';
  const wholeGraphGate = new WholeGraphGate(config.WHOLE_GRAPH_CONCURRENCY_PER_KEY, config.WHOLE_GRAPH_WAIT_MS);

  const apollo = new ApolloServer<RequestContext>({
    typeDefs: loadTypeDefs(),
    // The generated Resolvers type maps parents to graph/ records; Apollo's own resolver type cannot say that.
    resolvers: buildResolvers() as never,
    formatError: createErrorFormatter(log),
    plugins: [
      limitsPlugin(config),
      metricsPlugin(metrics),
      cacheInvalidationPlugin(cache),
      requestErrorStatusPlugin(),
      serviceUnavailablePlugin(config.RETRY_AFTER_SECONDS),
      schemaVisibilityPlugin({ production, allowedRoles: config.SCHEMA_DETAILS_ROLES }),
      // GET /graphql from a browser gets the project's own GraphiQL (server/http/dashboard.ts), never Apollo's
      // Sandbox, which loads from a CDN.
      ApolloServerPluginLandingPageDisabled(),
    ],
    // Introspection is decided per key by schemaVisibilityPlugin, not for everyone here.
    introspection: true,
    // The parser stops at MAX_QUERY_TOKENS, so no document costs more than that to read or validate.
    parseOptions: { maxTokens: config.MAX_QUERY_TOKENS },
    // Clients send the query text; automatic persisted queries are refused (PERSISTED_QUERY_NOT_SUPPORTED, 400).
    persistedQueries: false,
    stringifyResult: boundedStringify(config.MAX_RESPONSE_BYTES),
    includeStacktraceInErrorResponses: false,
    // Shutdown is ordered by server/runtime.ts; Apollo must not race it on SIGTERM.
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  app.use(requestLog(log));
  app.use(securityHeaders(production));
  app.use(probes(graph, store, config.PROBE_TIMEOUT_SECONDS * 1000));
  // With METRICS_PORT set, /metrics is served there only (server/runtime.ts), not on this port.
  if (config.METRICS_PORT === undefined) app.use(metricsEndpoint(metrics, { apiKeys: deps.apiKeys, metricsKey: config.METRICS_KEY }));
  // The dashboard at / and the explorer at GET /graphql (Accept: text/html): static, before authentication.
  app.use(dashboard(deps.dashboardDir));
  app.use('/graphql', authenticate(deps.apiKeys));
  app.use('/graphql', rateLimit(store, config.RATE_LIMIT_PER_MINUTE));
  app.use('/graphql', express.json({ limit: config.MAX_BODY_BYTES }));
  app.use('/graphql', documentBounds(config));
  app.use(
    '/graphql',
    expressMiddleware(apollo, {
      context: async ({ res }) => {
        const { caller, requestId, log: requestLog } = locals(res);
        const wholeGraph = <T>(work: () => Promise<T>) => wholeGraphGate.run(caller!.keyId, work);
        return { caller: caller!, requestId, log: requestLog, graph, cache, snapshots, loaders: createLoaders(graph), wholeGraph };
      },
    }),
  );
  app.use(errorHandler(log, config.MAX_BODY_BYTES));

  return { app, stop: () => apollo.stop() };
}
