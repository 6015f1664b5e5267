import crypto from 'node:crypto';
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
 */
export class AnalyticsCache {
  constructor(
    private readonly store: KeyValueStore,
    private readonly ttlSeconds: number,
  ) {}

  private readonly inFlight = new Map<string, Promise<unknown>>();

  async graphChanged(): Promise<void> {
    await this.store.increment(GRAPH_VERSION_KEY, 365 * 24 * 3600);
  }

  async remember<T>(name: string, args: unknown, compute: () => Promise<T>): Promise<T> {
    const version = (await this.store.get(GRAPH_VERSION_KEY)) ?? '0';
    const argsHash = crypto.createHash('sha256').update(JSON.stringify(args ?? null)).digest('base64url');
    const key = `grapevine:analytics:${version}:${name}:${argsHash}`;
    const hit = await this.store.get(key);
    if (hit !== null) return JSON.parse(hit) as T;
    const running = this.inFlight.get(key);
    if (running) return running as Promise<T>;
    const computing = (async () => {
      const value = await compute();
      await this.store.set(key, JSON.stringify(value), this.ttlSeconds);
      return value;
    })();
    this.inFlight.set(key, computing);
    try {
      return await computing;
    } finally {
      this.inFlight.delete(key); // after the store holds the answer, so a later caller finds it there
    }
  }
}
