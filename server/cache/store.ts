import type { Cluster, Redis } from 'ioredis';
import { createRedisClient, RedisConnection, urlConnection, withTimeouts } from './redisConnection';

/** What the service keeps outside Neo4j: cached analytics and rate-limit counters. */
export interface KeyValueStore {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Adds one and returns the new count; the key expires `ttlSeconds` after it was created. */
  increment(key: string, ttlSeconds: number): Promise<number>;
  ping(): Promise<void>;
  /**
   * Calls `listener` each time the store comes back after it was unreachable (not on the first
   * connection). Anything kept in it may have been missed or lost meanwhile.
   */
  onReconnect(listener: () => void): void;
  /** Since when the store has been unreachable (epoch ms), or undefined while it is connected. */
  readonly unavailableSince: number | undefined;
  close(): Promise<void>;
}

export class RedisStore implements KeyValueStore {
  readonly kind = 'redis';
  private readonly reconnectListeners: Array<() => void> = [];
  private downSince: number | undefined;

  constructor(readonly redis: Redis | Cluster) {
    let connectedBefore = false;
    redis.on('ready', () => {
      this.downSince = undefined;
      if (connectedBefore) for (const listener of this.reconnectListeners) listener();
      connectedBefore = true;
    });
    const lost = () => {
      this.downSince ??= Date.now();
    };
    redis.on('close', lost);
    redis.on('error', lost);
  }

  get unavailableSince() {
    return this.downSince;
  }

  get(key: string) {
    return this.redis.get(key);
  }

  async set(key: string, value: string, ttlSeconds: number) {
    await this.redis.set(key, value, 'EX', ttlSeconds);
  }

  async increment(key: string, ttlSeconds: number) {
    const [[, count]] = (await this.redis.multi().incr(key).expire(key, ttlSeconds, 'NX').exec()) as [[Error | null, number]];
    return count;
  }

  async ping() {
    await this.redis.ping();
  }

  onReconnect(listener: () => void) {
    this.reconnectListeners.push(listener);
  }

  async close() {
    // QUIT needs a connection; while Redis is away there is nothing to say goodbye to.
    if (this.redis.status === 'ready') await this.redis.quit();
    else this.redis.disconnect();
  }
}

export interface RedisTimeouts {
  /** Connecting, and each command, give up after this long. */
  commandTimeoutMs: number;
}

/**
 * A store on one Redis by URL, or on whatever `connection` names (a single server, a Cluster, Sentinels).
 * Redis holds only caches and counters, so while it is down commands fail at once (the callers
 * degrade: compute without the cache, count rate limits in the process) instead of queueing, and
 * ioredis keeps reconnecting in the background (every ≤ 1 s). Commands issued before the very first
 * connection wait for it, so a command line tool need not wait for 'ready' itself.
 */
export function connectRedis(target: string | RedisConnection, timeouts: RedisTimeouts = { commandTimeoutMs: 2000 }): RedisStore {
  const redis = createRedisClient(withTimeouts(typeof target === 'string' ? urlConnection(target) : target, timeouts.commandTimeoutMs));
  redis.once('ready', () => {
    redis.options.enableOfflineQueue = false;
  });
  return new RedisStore(redis);
}

/** For `npm start` on a machine without redis-server: one process, so process memory is enough. */
export class MemoryStore implements KeyValueStore {
  readonly kind = 'memory';
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();

  async get(key: string) {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return null;
    }
    return entry.value;
  }

  async set(key: string, value: string, ttlSeconds: number) {
    this.entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
  }

  async increment(key: string, ttlSeconds: number) {
    const current = await this.get(key);
    const next = (current === null ? 0 : Number(current)) + 1;
    const expiresAt = current === null ? Date.now() + ttlSeconds * 1000 : this.entries.get(key)!.expiresAt;
    this.entries.set(key, { value: String(next), expiresAt });
    return next;
  }

  async ping() {}

  onReconnect() {
    // Process memory never goes away.
  }

  readonly unavailableSince = undefined;

  async close() {
    this.entries.clear();
  }
}
