import { Router } from 'express';
import type { Graph } from '../../graph/neo4j';
import type { KeyValueStore } from '../cache/store';

/** `/healthz` (the process is alive), `/readyz` (Neo4j and the store answer, else 503); `/metrics` is in metricsEndpoint.ts. */
export function probes(graph: Graph, store: KeyValueStore): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
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
  return router;
}
