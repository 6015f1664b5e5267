import { DAY_MS } from '../../graph/model';
import type { Graph } from '../../graph/neo4j';
import { snapshotKey, SnapshotRequest, SnapshotStore } from '../cache/snapshots';
import type { Logger } from '../logger';
import { computeSnapshot, DEFAULT_QUESTIONS, questionFor, SnapshotQuestion } from '../wholeGraphSnapshots';
import type { JobSpec } from './scheduler';

/** Non-default questions are kept fresh while asked within this long. */
export const REQUESTED_WITHIN_MS = DAY_MS;
/** At most this many non-default questions are refreshed per run, the most recently asked first. */
export const MAX_REQUESTED_REFRESHED = 200;

export interface RefreshOptions {
  signal?: AbortSignal;
  /** Refreshes only the questions this accepts (tests refresh their own, not the whole dev graph's). */
  include?: (request: SnapshotRequest) => boolean;
  /** Refreshed whether or not anyone asked (DEFAULT_QUESTIONS unless given). */
  defaults?: ReadonlyArray<SnapshotQuestion<unknown>>;
}

/**
 * Recomputes the default snapshots and those asked for within the last day, one at a time, each replacing
 * its snapshot when done. A question that fails keeps its previous snapshot; the others still refresh.
 */
export async function refreshSnapshots(graph: Graph, snapshots: SnapshotStore, log: Logger, options: RefreshOptions = {}): Promise<number> {
  const requested = await snapshots.requestedSince(Date.now() - REQUESTED_WITHIN_MS, MAX_REQUESTED_REFRESHED);
  const candidates = [...(options.defaults ?? DEFAULT_QUESTIONS), ...requested.map(questionFor).filter((question): question is SnapshotQuestion<unknown> => question !== undefined)];
  // A default that was also asked for is refreshed once.
  const questions = [...new Map(candidates.map((question) => [snapshotKey(question.request), question])).values()];
  let refreshed = 0;
  for (const question of questions) {
    if (options.signal?.aborted) break;
    if (options.include && !options.include(question.request)) continue;
    try {
      const previous = question.readsPrevious ? await snapshots.get<unknown>(question.request).catch(() => null) : null;
      const snapshot = await untilAborted(computeSnapshot(graph, question, previous), options.signal);
      await snapshots.put(question.request, snapshot);
      refreshed += 1;
    } catch (error) {
      if (options.signal?.aborted) break;
      log.warn({ snapshot: question.request.name, err: error }, 'snapshot not refreshed: the previous one is served meanwhile');
    }
  }
  return refreshed;
}

/**
 * The computation's result, or a rejection as soon as `signal` aborts: a whole-graph query can run for
 * many seconds, and shutdown (or a lost lease) must not wait for it. The abandoned query ends when its
 * transaction times out or the driver closes; its answer is never stored.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  work.catch(() => {
    // Rejected after it was abandoned: nobody is waiting for it any more.
  });
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abandon = () => reject(signal.reason);
    signal.addEventListener('abort', abandon, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abandon));
  });
}

/** Keeps whole-graph answers (rankings, the referral funnel) fresh in the background. */
export function snapshotRefreshJob(
  graph: Graph,
  snapshots: SnapshotStore,
  everyMs: number,
  log: Logger,
  options: Pick<RefreshOptions, 'include' | 'defaults'> & { name?: string } = {},
): JobSpec {
  return {
    name: options.name ?? 'snapshot-refresh',
    everyMs,
    leaseMs: 60 * 1000,
    async run(signal) {
      const refreshed = await refreshSnapshots(graph, snapshots, log, { signal, include: options.include, defaults: options.defaults });
      log.debug({ refreshed }, 'snapshots refreshed');
    },
  };
}
