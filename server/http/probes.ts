import { Router } from 'express';
import type { Graph } from '../../graph/neo4j';
import type { KeyValueStore } from '../cache/store';

/** Rejects when `probe` has not answered within `ms`: a dependency that hangs is as unready as one that refuses. */
async function answersWithin(probe: () => Promise<void>, ms: number): Promise<'ok' | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([probe(), timeout]);
    return 'ok';
  } catch (error) {
    return `unreachable: ${(error as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

const dependencyState = (downSince: number | undefined, now: number) =>
  downSince === undefined ? { up: true } : { up: false, downSince: new Date(downSince).toISOString(), downForSeconds: Math.round((now - downSince) / 1000) };

/**
 * `/healthz` is liveness: 200 whenever this process answers, because restarting the API cannot
 * bring Neo4j or Redis back; its body says which dependency the service has seen down and for how
 * long (`status: degraded`). `/readyz` is readiness: it asks Neo4j and the store now, each within
 * `probeTimeoutMs`, and is 503 unless both answer. `/metrics` is Prometheus.
 */
export function probes(graph: Graph, store: KeyValueStore, probeTimeoutMs: number): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    const now = Date.now();
    const neo4j = dependencyState(graph.unavailableSince, now);
    const cache = dependencyState(store.unavailableSince, now);
    res.json({ status: neo4j.up && cache.up ? 'ok' : 'degraded', neo4j, [store.kind]: cache });
  });
  router.get('/readyz', async (_req, res) => {
    const [neo4j, redis] = await Promise.all([answersWithin(() => graph.ping(), probeTimeoutMs), answersWithin(() => store.ping(), probeTimeoutMs)]);
    const ready = neo4j === 'ok' && redis === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', neo4j, [store.kind]: redis });
  });
  return router;
}
