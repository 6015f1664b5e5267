import type { Graph } from '../../graph/neo4j';
import { dropStaleProjections } from '../../graph/projections';
import type { Logger } from '../logger';
import type { JobSpec } from './scheduler';

/**
 * Drops GDS projections a killed process left behind (graph/projections.ts). `maxAgeMs` must exceed the longest
 * computation, or a live one would lose its projection mid-run (it would fail and be retried at the next refresh).
 */
export function projectionCleanupJob(graph: Graph, maxAgeMs: number, log: Logger, everyMs = 10 * 60 * 1000): JobSpec {
  return {
    name: 'projection-cleanup',
    everyMs,
    leaseMs: 60 * 1000,
    async run() {
      const dropped = await dropStaleProjections(graph, Date.now() - maxAgeMs);
      if (dropped.length > 0) log.warn({ dropped }, 'dropped GDS projections left behind by a stopped process');
    },
  };
}
