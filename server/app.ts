import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { EventCoalescer } from '../graph/eventCoalescer';
import type { Graph } from '../graph/neo4j';
import { AnalyticsCache } from './cache/analyticsCache';
import { snapshotStoreFor } from './cache/snapshots';
import type { KeyValueStore } from './cache/store';
import { useFraudRules } from '../graph/fraudRules';
import { useIdentifierSecret } from '../graph/identifiers';
import type { ApiKey, Config } from './config';
import type { Caller } from './auth';
import type { RequestContext } from './context';
import type { LiveContext } from './live';
import { createErrorFormatter } from './errors';
import { authenticate } from './http/authenticate';
import { csvExport } from './http/csvExport';
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
import { CommunityConfig, communitySettings } from './communitySettings';

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
    | 'EXPORT_MAX_ROWS'
    | 'SNAPSHOT_FIRST_WAIT_MS'
    | 'EVENT_GROUP_MAX_EVENTS'
    | 'EVENT_GROUPS_IN_FLIGHT'
  > &
    CommunityConfig &
    Partial<Pick<Config, 'IDENTIFIER_HMAC_SECRET' | 'REFERRAL_VELOCITY_PER_HOUR'>>;
  apiKeys: ApiKey[];
  graph: Graph;
  store: KeyValueStore;
  log: Logger;
  metrics: Metrics;
  /** Live events and webhooks, when the runtime started them (server/live). */
  live?: LiveContext;
  /** The built dashboard (scripts/buildDashboard.ts); dist/dashboard unless given. */
  dashboardDir?: string;
}

export interface App {
  app: express.Express;
  /** The executable schema, which the WebSocket subscription server shares. */
  schema: GraphQLSchema;
  /** A request context for `caller` outside an HTTP request (a WebSocket subscription). */
  contextFor(caller: Caller, requestId?: string): RequestContext;
  formatError: ReturnType<typeof createErrorFormatter>;
  /** Stops Apollo; the caller closes the HTTP server, the driver and the store it gave. */
  stop(): Promise<void>;
}

/** The HTTP application: probes, then for /graphql authentication, rate limit, body limit and Apollo. */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config, graph, store, log, metrics } = deps;
  // graph/ reads no environment: the fraud rules get their key and limits here, once per process.
  if (config.IDENTIFIER_HMAC_SECRET !== undefined) useIdentifierSecret(config.IDENTIFIER_HMAC_SECRET);
  if (config.REFERRAL_VELOCITY_PER_HOUR !== undefined) useFraudRules({ velocityPerHour: config.REFERRAL_VELOCITY_PER_HOUR });
  const cache = new AnalyticsCache(store, config.CACHE_TTL_SECONDS);
  const snapshots = new SnapshotServer(graph, snapshotStoreFor(store), config.SNAPSHOT_FIRST_WAIT_MS);
  const community = communitySettings(config);
  const production = config.NODE_ENV === 'production';
  const wholeGraphGate = new WholeGraphGate(config.WHOLE_GRAPH_CONCURRENCY_PER_KEY, config.WHOLE_GRAPH_WAIT_MS);
  const events = new EventCoalescer(graph, { maxEvents: config.EVENT_GROUP_MAX_EVENTS, batchesInFlight: config.EVENT_GROUPS_IN_FLIGHT });

  // The generated Resolvers type maps parents to graph/ records; the schema tools' resolver type cannot say that.
  const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: buildResolvers() as never });
  const formatError = createErrorFormatter(log);
  const contextFor = (caller: Caller, requestId = 'subscription', requestLog: Logger = log): RequestContext => {
    const wholeGraph = <T>(work: () => Promise<T>) => wholeGraphGate.run(caller.keyId, work);
    return { caller, requestId, log: requestLog, graph, events, cache, snapshots, community, loaders: createLoaders(graph), wholeGraph, live: deps.live };
  };
  const apollo = new ApolloServer<RequestContext>({
    schema,
    formatError,
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
  const requestContext = (res: express.Response): RequestContext => {
    const { caller, requestId, log: requestLog } = locals(res);
    return contextFor(caller!, requestId, requestLog);
  };
  // /graphql and its CSV twin /export.csv pass the same gates: key, rate limit, body size, document bounds.
  for (const path of ['/graphql', '/export.csv']) {
    app.use(path, authenticate(deps.apiKeys));
    app.use(path, rateLimit(store, config.RATE_LIMIT_PER_MINUTE));
    app.use(path, express.json({ limit: config.MAX_BODY_BYTES }));
    app.use(path, documentBounds(config));
  }
  app.use('/graphql', expressMiddleware(apollo, { context: async ({ res }) => requestContext(res) }));
  app.get('/export.csv', csvExport(apollo, requestContext, config.EXPORT_MAX_ROWS));
  app.post('/export.csv', csvExport(apollo, requestContext, config.EXPORT_MAX_ROWS));
  app.use(errorHandler(log, config.MAX_BODY_BYTES));

  return { app, schema, contextFor, formatError, stop: () => apollo.stop() };
}
