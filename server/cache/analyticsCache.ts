import crypto from 'node:crypto';
import { SingleFlight } from './singleFlight';
import { KeyValueStore } from './store';

/** The one key holding the graph's version; every acknowledged write moves it. */
export const GRAPH_VERSION_KEY = 'grapevine:graph-version';

/**
 * Caches analytics answers under the graph's version. Every acknowledged write bumps the version
 * before its response is sent, so a reader who has seen the acknowledgement computes afresh:
 * an answer is never served from before a write its caller knows about. Old entries just expire.
 *
 * Single flight: concurrent callers in this process asking for the same key (same version, name and
 * arguments) share one computation. The key holds the version, so a caller who has seen a write never
 * joins a computation that started before it.
 *
 * The cache is only a shortcut: while the store is unreachable, answers are computed from Neo4j
 * every time. A write acknowledged meanwhile could not move the version, so the cache is not
 * trusted again until the version has moved: each time the store comes back (every instance bumps
 * on reconnect, whether or not it wrote), and before the next use if this instance missed a bump.
 */
export class AnalyticsCache {
  // Bumps owed (a write or a reconnect that could not move the version) and those paid since: the
  // cache is not read while owed > paid. Concurrent readers share one bump.
  private owed = 0;
  private paid = 0;
  private bumping: Promise<boolean> | undefined;
  private readonly singleFlight = new SingleFlight();

  constructor(
    private readonly store: KeyValueStore,
    private readonly ttlSeconds: number,
  ) {
    store.onReconnect(() => {
      this.owed += 1;
      void this.settleVersion();
    });
  }

  async graphChanged(): Promise<void> {
    try {
      await this.store.increment(GRAPH_VERSION_KEY, 365 * 24 * 3600);
    } catch (error) {
      this.owed += 1;
      throw error;
    }
  }

  async remember<T>(name: string, args: unknown, compute: () => Promise<T>): Promise<T> {
    const key = await this.currentKey(name, args).catch(() => undefined);
    if (key === undefined) return compute();
    const hit = await this.store.get(key).catch(() => null);
    if (hit !== null) return JSON.parse(hit) as T;
    return this.singleFlight.run(key, async () => {
      const value = await compute();
      await this.store.set(key, JSON.stringify(value), this.ttlSeconds).catch(() => {
        // Not cached this time; the answer itself is right.
      });
      return value;
    });
  }

  /** The key for this question at the current version; throws when the store cannot be trusted now. */
  private async currentKey(name: string, args: unknown): Promise<string> {
    if (!(await this.settleVersion())) throw new Error('the graph version could not be moved after a gap');
    const version = (await this.store.get(GRAPH_VERSION_KEY)) ?? '0';
    const argsHash = crypto.createHash('sha256').update(JSON.stringify(args ?? null)).digest('base64url');
    return `grapevine:analytics:${version}:${name}:${argsHash}`;
  }

  /** Pays owed version bumps; true when none is owed any more. */
  private async settleVersion(): Promise<boolean> {
    while (this.paid < this.owed) {
      const target = this.owed;
      this.bumping ??= this.store.increment(GRAPH_VERSION_KEY, 365 * 24 * 3600).then(
        () => {
          this.paid = Math.max(this.paid, target);
          return true;
        },
        () => false,
      ).finally(() => {
        this.bumping = undefined;
      });
      if (!(await this.bumping)) return false;
    }
    return true;
  }
}
