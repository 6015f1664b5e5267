import type { Graph } from '../../graph/neo4j';
import type { KeyValueStore } from '../cache/store';
import { RedisStore } from '../cache/store';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { idempotencyPurgeJob } from './idempotencyPurge';
import { JobScheduler } from './scheduler';

/** The service's background jobs, one scheduler per process; `stop` in the ordered shutdown. */
export function startJobs(deps: { graph: Graph; store: KeyValueStore; config: Config; log: Logger }): JobScheduler {
  const redis = deps.store instanceof RedisStore ? deps.store.redis : null;
  const scheduler = new JobScheduler(redis, deps.log);
  scheduler.scheduleJob(idempotencyPurgeJob(deps.graph, deps.config.IDEMPOTENCY_RETENTION_HOURS, deps.log));
  scheduler.start();
  return scheduler;
}
