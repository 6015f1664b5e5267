import fs from 'node:fs';
import { ConfigError, loadConfig } from '../server/config';
import { createLogger } from '../server/logger';
import { startService } from '../server/runtime';

// `npm start`: the whole service on this machine, local Neo4j and Redis included when not configured.
async function main() {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const running = await startService(config, log);
  const auth = running.adminKeyFile
    ? `Authorization: Bearer ${fs.readFileSync(running.adminKeyFile, 'utf8').trim()}   (admin key, kept in ${running.adminKeyFile})`
    : 'Authorization: Bearer <one of the keys in API_KEYS>';
  process.stdout.write(`\nGrapevine is up: ${running.url}\n  ${auth}\n  health: /healthz  readiness: /readyz  metrics: /metrics\n\n`);
  // A second signal (a terminal and a process manager often both send one) must not cut shutdown short.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      running.shutdown(signal).then(
        () => process.exit(0),
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
