import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../server/config';
import { createLogger } from '../server/logger';
import { startService } from '../server/runtime';
import { buildDashboard } from './buildDashboard';
import { startLocalServices } from './local/services';

// `npm start`: the whole service on this machine. The launcher starts a local Neo4j and Redis where
// NEO4J_URI / REDIS_URL name none, hands their URIs to the service, and stops them after it.
async function main() {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  try {
    // The web dashboard the API serves at /; rebuilt only when its sources changed (a few seconds).
    buildDashboard((message) => log.info(message));
  } catch (error) {
    // The API is still whole without it; / then says the dashboard is not built.
    log.error({ err: error }, 'the dashboard could not be built; the API starts without it');
  }
  const local = await startLocalServices({
    neo4jUri: config.NEO4J_URI,
    redisUrl: config.REDIS_URL,
    // A Redis Cluster or Sentinels are reached by their own variables; nothing local is needed then.
    redisElsewhere: config.REDIS_CLUSTER_NODES !== undefined || config.REDIS_SENTINELS !== undefined,
    neo4j: { homeDir: path.join(config.DATA_DIR, 'neo4j'), boltPort: config.LOCAL_NEO4J_BOLT_PORT, heap: config.LOCAL_NEO4J_HEAP },
    redis: { dir: path.join(config.DATA_DIR, 'redis'), port: config.LOCAL_REDIS_PORT },
    redisOptional: true,
    say: (message) => log.info(message),
  });
  const running = await startService({ ...config, NEO4J_URI: local.neo4jUri, REDIS_URL: local.redisUrl }, log).catch(async (error: unknown) => {
    await local.stop();
    throw error;
  });
  const auth = running.adminKeyFile
    ? `Authorization: Bearer ${fs.readFileSync(running.adminKeyFile, 'utf8').trim()}   (admin key, kept in ${running.adminKeyFile})`
    : 'Authorization: Bearer <one of the keys in API_KEYS>';
  process.stdout.write(`\nGrapevine is up: ${running.url}\n  dashboard: ${new URL('/', running.url).href} (sign in with an API key)\n  ${auth}\n  health: /healthz  readiness: /readyz  metrics: ${running.metricsUrl ?? '/metrics (METRICS_KEY or an admin key)'}\n  subscriptions: ${running.url.replace(/^http/, 'ws')} (graphql-ws; connectionParams { authorization: "Bearer <key>" })\n\n`);
  // A second signal (a terminal and a process manager often both send one) must not cut shutdown short.
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      running
        .shutdown(signal)
        .then(() => local.stop())
        .then(
          () => {
            log.info('local services stopped');
            process.exit(0);
          },
          (error) => {
            log.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : `Grapevine could not start: ${(error as Error).stack ?? String(error)}`}\n`);
  process.exit(1);
});
