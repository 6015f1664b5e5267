import crypto from 'node:crypto';
import express, { Router } from 'express';
import { ERROR_CODES } from '../../graph/errors';
import { createAuthenticator } from '../auth';
import type { ApiKey } from '../config';
import type { Metrics } from '../metrics';
import { errorBody } from './locals';

export interface MetricsAccess {
  /** The API keys: an admin's may read, another role's is refused. None (and no metricsKey): open to whoever reaches the port. */
  apiKeys: ApiKey[];
  /** A key for the scraper alone (METRICS_KEY), accepted besides admin API keys. */
  metricsKey?: string;
}

const sameSecret = (a: string, b: string) => {
  const digest = (value: string) => crypto.createHash('sha256').update(value).digest();
  return crypto.timingSafeEqual(digest(a), digest(b));
};

/**
 * `GET /metrics` in Prometheus text. On the main port it wants a bearer: METRICS_KEY or an admin
 * API key (401 without one, 403 for a key of another role), since latencies and query names map
 * the service for whoever reads them. On its own loopback port (METRICS_PORT) only METRICS_KEY,
 * when set, is asked for.
 */
export function metricsEndpoint(metrics: Metrics, access: MetricsAccess): Router {
  const identify = createAuthenticator(access.apiKeys);
  const guarded = access.apiKeys.length > 0 || access.metricsKey !== undefined;
  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (guarded) {
      const authorization = req.header('authorization');
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
      const scraper = access.metricsKey !== undefined && bearer !== undefined && sameSecret(bearer, access.metricsKey);
      const caller = scraper ? undefined : identify(authorization);
      if (!scraper && !caller) {
        res.status(401).setHeader('www-authenticate', 'Bearer').json(errorBody('Send METRICS_KEY or an admin API key as "Authorization: Bearer <key>".', ERROR_CODES.UNAUTHENTICATED));
        return;
      }
      if (caller && caller.role !== 'admin') {
        res.status(403).json(errorBody(`The ${caller.role} role may not read metrics.`, ERROR_CODES.FORBIDDEN));
        return;
      }
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}

/** The app of the separate metrics port: /metrics and nothing else. */
export function metricsApp(metrics: Metrics, metricsKey: string | undefined): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(metricsEndpoint(metrics, { apiKeys: [], metricsKey }));
  return app;
}
