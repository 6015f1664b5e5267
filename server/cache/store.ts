import type { Cluster, Redis } from 'ioredis';
import { createRedisClient, RedisConnection, urlConnection } from './redisConnection';

/** What the service keeps outside Neo4j: cached analytics and rate-limit counters. */
export interface KeyValueStore {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Adds one and returns the new count; the key expires `ttlSeconds` after it was created. */
  increment(key: string, ttlSeconds: number): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class RedisStore implements KeyValueStore {
  readonly kind = 'redis';
  constructor(readonly redis: Redis | Cluster) {}

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

  async close() {
    await this.redis.quit();
  }
}

/** A store on one Redis by URL, or on whatever `connection` names (a single server, a Cluster, Sentinels). */
export function connectRedis(target: string | RedisConnection): RedisStore {
  return new RedisStore(createRedisClient(typeof target === 'string' ? urlConnection(target) : target));
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

  async close() {
    this.entries.clear();
  }
}
