import crypto from 'node:crypto';
import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express, { NextFunction, Request, Response } from 'express';
import { Graph } from '../graph/neo4j';
import { createAuthenticator, Caller } from './auth';
import { AnalyticsCache } from './cache/analyticsCache';
import { KeyValueStore } from './cache/store';
import type { ApiKey, Config } from './config';
import type { RequestContext } from './context';
import { createErrorFormatter } from './errors';
import { createLoaders } from './loaders';
import { checkOperationSize, measureOperation } from './limits';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import { buildResolvers } from './resolvers';
import { loadTypeDefs } from './schema';

export interface AppDeps {
  config: Pick<Config, 'MAX_QUERY_DEPTH' | 'MAX_QUERY_COST' | 'MAX_BODY_BYTES' | 'RATE_LIMIT_PER_MINUTE' | 'CACHE_TTL_SECONDS'>;
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

interface Locals {
  requestId: string;
  log: Logger;
  caller?: Caller;
}

const locals = (res: Response) => res.locals as Locals;

const errorBody = (message: string, code: string) => ({ errors: [{ message, extensions: { code } }] });

function limitsPlugin(config: AppDeps['config']): ApolloServerPlugin<RequestContext> {
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

function metricsPlugin(metrics: Metrics): ApolloServerPlugin<RequestContext> {
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

/**
 * A mutation may have changed the graph: the cache moves to a new version before the response
 * leaves, so the caller's next read cannot be served an answer from before its write.
 */
function cacheInvalidationPlugin(cache: AnalyticsCache): ApolloServerPlugin<RequestContext> {
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

export async function createApp(deps: AppDeps): Promise<App> {
  const { config, graph, store, log, metrics } = deps;
  const authenticate = createAuthenticator(deps.apiKeys);
  const cache = new AnalyticsCache(store, config.CACHE_TTL_SECONDS);

  const apollo = new ApolloServer<RequestContext>({
    typeDefs: loadTypeDefs(),
    // The generated Resolvers type maps parents to graph/ records; Apollo's own resolver type cannot say that.
    resolvers: buildResolvers() as never,
    formatError: createErrorFormatter(log),
    plugins: [limitsPlugin(config), metricsPlugin(metrics), cacheInvalidationPlugin(cache)],
    includeStacktraceInErrorResponses: false,
    // Shutdown is ordered by server/runtime.ts; Apollo must not race it on SIGTERM.
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');

  app.use((req, res, next) => {
    const header = req.header('x-request-id');
    const requestId = header && /^[\w.-]{1,100}$/.test(header) ? header : crypto.randomUUID();
    res.setHeader('x-request-id', requestId);
    locals(res).requestId = requestId;
    locals(res).log = log.child({ requestId });
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      locals(res).log.info(
        { method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6, role: locals(res).caller?.role },
        'request',
      );
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const check = async (probe: () => Promise<void>) => {
      try {
        await probe();
        return 'ok';
      } catch (error) {
        return `unreachable: ${(error as Error).message}`;
      }
    };
    const [neo4j, redis] = await Promise.all([check(() => graph.ping()), check(() => store.ping())]);
    const ready = neo4j === 'ok' && redis === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', neo4j, [store.kind]: redis });
  });

  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.use('/graphql', (req, res, next) => {
    const caller = authenticate(req.header('authorization'));
    if (!caller) {
      res.status(401).setHeader('www-authenticate', 'Bearer').json(errorBody('Send an API key as "Authorization: Bearer <key>".', 'UNAUTHENTICATED'));
      return;
    }
    locals(res).caller = caller;
    next();
  });

  // Fixed one-minute windows per key, counted in Redis so that every instance shares the budget.
  app.use('/graphql', async (_req, res, next) => {
    const caller = locals(res).caller!;
    const window = Math.floor(Date.now() / 60_000);
    let count: number;
    try {
      count = await store.increment(`grapevine:rate:${caller.keyId}:${window}`, 120);
    } catch (error) {
      next(error);
      return;
    }
    res.setHeader('x-ratelimit-limit', String(config.RATE_LIMIT_PER_MINUTE));
    res.setHeader('x-ratelimit-remaining', String(Math.max(0, config.RATE_LIMIT_PER_MINUTE - count)));
    if (count > config.RATE_LIMIT_PER_MINUTE) {
      res.status(429).setHeader('retry-after', String(60 - Math.floor((Date.now() / 1000) % 60)));
      res.json(errorBody(`Rate limit of ${config.RATE_LIMIT_PER_MINUTE} requests a minute exceeded for this API key.`, 'RATE_LIMITED'));
      return;
    }
    next();
  });

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

  app.use((error: Error & { type?: string; status?: number }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error.type === 'entity.too.large') {
      res.status(413).json(errorBody(`The request body is larger than ${config.MAX_BODY_BYTES} bytes.`, 'PAYLOAD_TOO_LARGE'));
    } else if (error.type === 'entity.parse.failed') {
      res.status(400).json(errorBody('The request body is not valid JSON.', 'BAD_REQUEST'));
    } else {
      (locals(res).log ?? log).error({ err: error }, 'request failed');
      res.status(500).json(errorBody('Internal server error.', 'INTERNAL_SERVER_ERROR'));
    }
  });

  return { app, stop: () => apollo.stop() };
}
