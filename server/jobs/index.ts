import type { Graph } from '../../graph/neo4j';
import type { KeyValueStore } from '../cache/store';
import { RedisStore } from '../cache/store';
import { snapshotStoreFor } from '../cache/snapshots';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { OutboxRelay } from '../live/outboxRelay';
import { idempotencyPurgeJob } from './idempotencyPurge';
import { rewardReleaseJob } from './rewardRelease';
import { outboxSweepJob } from './outboxSweep';
import { projectionCleanupJob } from './projectionCleanup';
import { JobScheduler } from './scheduler';
import { snapshotRefreshJob } from './snapshotRefresh';
import { communitySettings } from '../communitySettings';
import { communityDefaultQuestions, isCommunityQuestion } from '../wholeGraphSnapshots';

/** The service's background jobs, one scheduler per process; `stop` in the ordered shutdown. */
export function startJobs(deps: { graph: Graph; store: KeyValueStore; config: Config; log: Logger; relay?: OutboxRelay }): JobScheduler {
  const redis = deps.store instanceof RedisStore ? deps.store.redis : null;
  const scheduler = new JobScheduler(redis, deps.log);
  scheduler.scheduleJob(idempotencyPurgeJob(deps.graph, deps.config.IDEMPOTENCY_RETENTION_HOURS, deps.log));
  const snapshots = snapshotStoreFor(deps.store);
  scheduler.scheduleJob(snapshotRefreshJob(deps.graph, snapshots, deps.config.SNAPSHOT_REFRESH_SECONDS * 1000, deps.log, { include: (request) => !isCommunityQuestion(request) }));
  scheduler.scheduleJob(
    snapshotRefreshJob(deps.graph, snapshots, deps.config.COMMUNITY_REFRESH_SECONDS * 1000, deps.log, {
      name: 'community-refresh',
      include: isCommunityQuestion,
      defaults: communityDefaultQuestions(communitySettings(deps.config)),
    }),
  );
  scheduler.scheduleJob(projectionCleanupJob(deps.graph, deps.config.PROJECTION_MAX_AGE_MINUTES * 60 * 1000, deps.log));
  scheduler.scheduleJob(rewardReleaseJob(deps.graph, deps.config.REWARD_RELEASE_SECONDS * 1000, deps.log));
  if (deps.relay) scheduler.scheduleJob(outboxSweepJob(deps.relay, deps.config.OUTBOX_SWEEP_SECONDS * 1000));
  scheduler.start();
  return scheduler;
}
