import { purgeExpiredIdempotencyKeys } from '../../graph/idempotency';
import type { Graph } from '../../graph/neo4j';
import type { Logger } from '../logger';
import type { JobSpec } from './scheduler';

const HOUR_MS = 60 * 60 * 1000;

/** Purges idempotency keys stored longer ago than the retention; replays within it still replay. */
export function idempotencyPurgeJob(graph: Graph, retentionHours: number, log: Logger, everyMs = 10 * 60 * 1000): JobSpec {
  return {
    name: 'idempotency-purge',
    everyMs,
    leaseMs: 60 * 1000,
    async run(signal) {
      const cutoff = Date.now() - retentionHours * HOUR_MS;
      const purged = await purgeExpiredIdempotencyKeys(graph, cutoff, { signal });
      if (purged > 0) log.info({ purged, retentionHours }, 'purged expired idempotency keys');
    },
  };
}
