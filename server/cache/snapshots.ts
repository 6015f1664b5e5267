import crypto from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { KeyValueStore, RedisStore } from './store';

/** A whole-graph answer computed at one moment, served until the next refresh replaces it. */
export interface Snapshot<T> {
  /** When its computation started (epoch ms): the answer reflects the graph as of then, or later. */
  asOf: number;
  value: T;
}

/** A question a snapshot answers: which computation, with which (canonical) arguments. */
export interface SnapshotRequest {
  name: string;
  args: Record<string, unknown>;
}

/** The set of requested argument sets, scored by when each was last requested (epoch ms). */
export const SNAPSHOT_REQUESTS_KEY = 'grapevine:snapshot-requests';
// Snapshots outlive a day without requests by a margin; the refresh job rewrites those still wanted.
const SNAPSHOT_TTL_SECONDS = 2 * 24 * 3600;

const argsHash = (args: unknown) => crypto.createHash('sha256').update(JSON.stringify(args ?? null)).digest('base64url');
export const snapshotKey = (request: SnapshotRequest) => `grapevine:snapshot:${request.name}:${argsHash(request.args)}`;

/**
 * Where snapshots live: Redis when the service has one (every process serves the same snapshot), else
 * this process. Values hold customer ids and counts only, never personal data. The registry remembers
 * which non-default questions were asked and when, so the refresh job keeps those fresh for a day.
 */
export class SnapshotStore {
  private readonly local = new Map<string, string>();
  private readonly localRequests = new Map<string, number>();

  constructor(private readonly redis: Redis | Cluster | null) {}

  async get<T>(request: SnapshotRequest): Promise<Snapshot<T> | null> {
    const raw = this.redis ? await this.redis.get(snapshotKey(request)) : (this.local.get(snapshotKey(request)) ?? null);
    return raw === null ? null : (JSON.parse(raw) as Snapshot<T>);
  }

  async put<T>(request: SnapshotRequest, snapshot: Snapshot<T>): Promise<void> {
    const raw = JSON.stringify(snapshot);
    if (this.redis) await this.redis.set(snapshotKey(request), raw, 'EX', SNAPSHOT_TTL_SECONDS);
    else this.local.set(snapshotKey(request), raw);
  }

  /** Records that a caller asked this question now, so the refresh job keeps its snapshot fresh. */
  async noteRequested(request: SnapshotRequest, at = Date.now()): Promise<void> {
    const member = JSON.stringify(request);
    if (this.redis) await this.redis.zadd(SNAPSHOT_REQUESTS_KEY, at, member);
    else this.localRequests.set(member, at);
  }

  /** The questions asked at or after `since`, most recent first, at most `limit`; older ones are forgotten. */
  async requestedSince(since: number, limit: number): Promise<SnapshotRequest[]> {
    if (this.redis) {
      await this.redis.zremrangebyscore(SNAPSHOT_REQUESTS_KEY, '-inf', `(${since}`);
      const members = await this.redis.zrevrangebyscore(SNAPSHOT_REQUESTS_KEY, '+inf', since, 'LIMIT', 0, limit);
      return members.map((member) => JSON.parse(member) as SnapshotRequest);
    }
    for (const [member, at] of this.localRequests) if (at < since) this.localRequests.delete(member);
    return [...this.localRequests.entries()]
      .sort(([, a], [, b]) => b - a)
      .slice(0, limit)
      .map(([member]) => JSON.parse(member) as SnapshotRequest);
  }
}

const stores = new WeakMap<KeyValueStore, SnapshotStore>();

/** The snapshot store over the service's store: one per store, so the API and the jobs of a process share it. */
export function snapshotStoreFor(store: KeyValueStore): SnapshotStore {
  let snapshots = stores.get(store);
  if (!snapshots) {
    snapshots = new SnapshotStore(store instanceof RedisStore ? store.redis : null);
    stores.set(store, snapshots);
  }
  return snapshots;
}
