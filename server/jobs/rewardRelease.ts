import type { Graph } from '../../graph/neo4j';
import { releaseHeldRewards } from '../../graph/rewards';
import type { Logger } from '../logger';
import type { JobSpec } from './scheduler';

/** Approves pending rewards whose hold period has passed (campaigns without manual approval), as `system:hold-period`. */
export function rewardReleaseJob(graph: Graph, everyMs: number, log: Logger): JobSpec {
  return {
    name: 'reward-release',
    everyMs,
    leaseMs: 60 * 1000,
    async run(signal) {
      const approved = await releaseHeldRewards(graph, Date.now(), { signal });
      if (approved > 0) log.info({ approved }, 'approved rewards past their hold period');
    },
  };
}
