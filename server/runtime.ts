import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { seedDemoData } from '../graph/demo';
import { applyMigrations } from '../graph/migrations';
import { connectGraph, Graph } from '../graph/neo4j';
import { createApp } from './app';
import { describeRedisConnection, redisConnection } from './cache/redisConnection';
import { connectRedis, KeyValueStore, MemoryStore } from './cache/store';
import type { ApiKey, Config } from './config';
import { metricsApp } from './http/metricsEndpoint';
import { startJobs } from './jobs';
import { createAuthenticator } from './auth';
import { startLive } from './live';
import { startSubscriptionServer } from './live/subscriptionServer';
import { createLogger, Logger } from './logger';
import { createMetrics } from './metrics';

export interface Running {
  url: string;
  /** Where Prometheus scrapes, when METRICS_PORT gives /metrics its own port. */
  metricsUrl?: string;
  adminKeyFile?: string;
  /** How many subscriptions this process is serving now (tests wait for theirs before writing). */
  liveSubscribers(): number;
  shutdown(reason: string): Promise<void>;
}

/** Keys from API_KEYS, or one admin key generated once and kept under DATA_DIR: the server never runs open. */
function resolveApiKeys(config: Config, log: Logger): { apiKeys: ApiKey[]; adminKeyFile?: string } {
  if (config.apiKeys) return { apiKeys: config.apiKeys };
  const file = path.resolve(config.DATA_DIR, 'admin-api-key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${crypto.randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
    log.info({ file }, 'generated an admin API key');
  }
  return { apiKeys: [{ key: fs.readFileSync(file, 'utf8').trim(), role: 'admin' }], adminKeyFile: file };
}

/**
 * Brings the service up against the Neo4j and Redis its configuration names (the launcher in
 * scripts/ starts local ones first when there are none) and returns an ordered shutdown:
 * stop accepting, drain requests, close clients. Redis is one server (REDIS_URL), a Cluster
 * (REDIS_CLUSTER_NODES) or Sentinels (REDIS_SENTINELS); with none the cache and rate limits
 * live in this process.
 */
export async function startService(config: Config, log = createLogger(config.LOG_LEVEL)): Promise<Running> {
  if (!config.NEO4J_URI) throw new Error('NEO4J_URI is not set: start the service through `npm start`, which starts a local Neo4j.');
  const neo4jUri = config.NEO4J_URI;
  const redis = redisConnection(config);
  const store: KeyValueStore = redis ? connectRedis(redis, { commandTimeoutMs: config.REDIS_TIMEOUT_SECONDS * 1000 }) : new MemoryStore();
  if (redis) log.info({ redis: describeRedisConnection(redis) }, 'cache and rate limits in Redis');
  else log.warn('no Redis configured (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS): caching and rate limits are in this process only');
  // What has started so far, stopped in reverse order when a later step fails (a port in use, say): a failed start
  // leaves nothing running, in particular no relay, stream reader or webhook worker serving a service that is not up.
  const started: Array<() => Promise<unknown>> = [() => store.close()];
  try {
    const metrics = createMetrics();
    const graph: Graph = connectGraph(
      { uri: neo4jUri, user: config.NEO4J_USER, password: config.NEO4J_PASSWORD, database: config.NEO4J_DATABASE },
      metrics.observeNeo4jQuery,
      config.NEO4J_TX_TIMEOUT_SECONDS * 1000,
      { connectTimeoutMs: config.NEO4J_CONNECT_TIMEOUT_SECONDS * 1000, probeIntervalMs: 1000 },
    );
    started.push(() => graph.close());
    await graph.ping();
    store.onReconnect(() => log.info('Redis is back: the analytics cache moves to a new graph version before it is used again'));
    const migrations = await applyMigrations(graph);
    log.info({ migrations }, 'schema migrations applied');
    if (config.DEMO_DATA === 'auto') {
      const seeded = await seedDemoData(graph);
      if (seeded) log.info(seeded, 'the graph was empty: loaded demo data');
    }

    const { apiKeys, adminKeyFile } = resolveApiKeys(config, log);
    const live = startLive({ graph, store, redis, config, log });
    started.push(() => live.stop());
    const { app, schema, contextFor, formatError, stop: stopApollo } = await createApp({ config, apiKeys, graph, store, log, metrics, live });
    started.push(stopApollo);
    const server = http.createServer(app);
    const subscriptions = startSubscriptionServer({ server, schema, authenticate: createAuthenticator(apiKeys), contextFor, formatError, config, log });
    started.push(() => subscriptions.close());
    await listen(server, config.PORT);
    started.push(() => new Promise((resolve) => server.close(resolve)));
    const url = `http://localhost:${config.PORT}/graphql`;
    let metricsServer: http.Server | undefined;
    if (config.METRICS_PORT !== undefined) {
      const listening = http.createServer(metricsApp(metrics, config.METRICS_KEY));
      await listen(listening, config.METRICS_PORT, config.METRICS_HOST);
      started.push(() => new Promise((resolve) => listening.close(resolve)));
      metricsServer = listening;
    }
    const metricsUrl = metricsServer ? `http://${config.METRICS_HOST.includes(':') ? `[${config.METRICS_HOST}]` : config.METRICS_HOST}:${config.METRICS_PORT}/metrics` : undefined;
    const jobs = startJobs({ graph, store, config, log, relay: live.relay });

    let stopping: Promise<void> | undefined;
    const shutdown = (reason: string) => {
      stopping ??= (async () => {
        log.info({ reason }, 'shutting down: no new connections, draining requests');
        // Subscribers are told the server is going away (1001) and reconnect to another process.
        await subscriptions.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        log.info('requests drained; stopping background jobs');
        await jobs.stop();
        await live.stop();
        log.info('background jobs and live events stopped; closing clients');
        if (metricsServer) {
          await new Promise<void>((resolve) => {
            metricsServer.close(() => resolve());
            metricsServer.closeIdleConnections();
          });
        }
        await stopApollo();
        await graph.close();
        await store.close().catch(() => {});
        log.info('shutdown complete');
      })();
      return stopping;
    };
    return { url, metricsUrl, adminKeyFile, liveSubscribers: () => live.hub.size, shutdown };
  } catch (error) {
    for (const stop of started.reverse()) await stop().catch(() => {});
    throw error;
  }
}

/**
 * Resolves once `server` listens, rejects when listening fails (EADDRINUSE, say). The error listener stays: an error
 * the server emits later meets a settled promise instead of crashing the process as an unhandled 'error' event.
 */
function listen(server: http.Server, port: number, host?: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (host === undefined) server.listen(port, resolve);
    else server.listen(port, host, resolve);
  });
}
