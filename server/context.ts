import type { Logger } from 'pino';
import type { EventCoalescer } from '../graph/eventCoalescer';
import type { Graph } from '../graph/neo4j';
import type { AnalyticsCache } from './cache/analyticsCache';
import type { Caller } from './auth';
import type { LiveContext } from './live';
import type { Loaders } from './loaders';
import type { SnapshotServer } from './wholeGraphSnapshots';
import type { CommunitySettings } from './communitySettings';

/** Built once per request and passed down; nothing per request is global. */
export interface RequestContext {
  caller: Caller;
  requestId: string;
  log: Logger;
  graph: Graph;
  /** Single event mutations, written together with the ones arriving at the same time (graph/eventCoalescer.ts). */
  events: EventCoalescer;
  cache: AnalyticsCache;
  loaders: Loaders;
  /** Whole-graph answers served from snapshots refreshed in the background (server/wholeGraphSnapshots.ts). */
  snapshots: SnapshotServer;
  /** Engagement weights and windows, betweenness sampling (ENGAGEMENT_*, BRIDGES_*). */
  community: CommunitySettings;
  /** Runs a whole-graph computation within the caller's key's share (server/bounds/wholeGraphGate.ts). */
  wholeGraph<T>(work: () => Promise<T>): Promise<T>;
  /** Live events and webhooks (server/live); absent where the app runs without them (HTTP-only tests). */
  live?: LiveContext;
}
