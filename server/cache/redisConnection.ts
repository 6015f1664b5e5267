import Redis, { Cluster, ClusterOptions, RedisOptions } from 'ioredis';
import { Config, HostPort, parseHostPorts } from '../config';

/**
 * How this process reaches Redis: one server by URL, a Redis Cluster by its seed nodes, or the master
 * that Sentinels name. Every key the service uses is touched alone (the MULTI in `increment` names one
 * key), so nothing needs hash tags to live in one cluster slot.
 */
export type RedisConnection =
  | { kind: 'url'; url: string; options: RedisOptions }
  | { kind: 'cluster'; nodes: HostPort[]; options: ClusterOptions }
  | { kind: 'sentinel'; options: RedisOptions };

type RedisSettings = Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER_NODES' | 'REDIS_SENTINELS' | 'REDIS_SENTINEL_NAME' | 'REDIS_USERNAME' | 'REDIS_PASSWORD' | 'REDIS_TLS'>;

// Fail fast rather than queue commands forever while Redis is down: /readyz reports it.
const FAIL_FAST: RedisOptions = { maxRetriesPerRequest: 1, connectTimeout: 2000 };

export const urlConnection = (url: string, extra: RedisOptions = {}): RedisConnection => ({ kind: 'url', url, options: { ...FAIL_FAST, ...extra } });

/** The connection the configuration names, or undefined when it names none (the store is then in-process). */
export function redisConnection(config: RedisSettings): RedisConnection | undefined {
  const credentials: RedisOptions = {
    ...(config.REDIS_USERNAME === undefined ? {} : { username: config.REDIS_USERNAME }),
    ...(config.REDIS_PASSWORD === undefined ? {} : { password: config.REDIS_PASSWORD }),
    ...(config.REDIS_TLS ? { tls: {} } : {}),
  };
  if (config.REDIS_URL) return urlConnection(config.REDIS_URL, credentials);
  if (config.REDIS_CLUSTER_NODES) {
    return {
      kind: 'cluster',
      nodes: parseHostPorts('REDIS_CLUSTER_NODES', config.REDIS_CLUSTER_NODES),
      // Credentials and TLS apply to every node the cluster reports, not only the seeds.
      options: { redisOptions: { ...FAIL_FAST, ...credentials }, clusterRetryStrategy: (times) => Math.min(times * 200, 2000) },
    };
  }
  if (config.REDIS_SENTINELS) {
    return {
      kind: 'sentinel',
      options: {
        ...FAIL_FAST,
        ...credentials,
        sentinels: parseHostPorts('REDIS_SENTINELS', config.REDIS_SENTINELS),
        name: config.REDIS_SENTINEL_NAME,
        // Sentinels usually share the data nodes' password and TLS; ioredis asks for them separately.
        ...(config.REDIS_PASSWORD === undefined ? {} : { sentinelPassword: config.REDIS_PASSWORD }),
        ...(config.REDIS_TLS ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
      },
    };
  }
  return undefined;
}

/** A client for the connection; nothing is sent until the first command. */
export function createRedisClient(connection: RedisConnection): Redis | Cluster {
  const client =
    connection.kind === 'cluster'
      ? new Redis.Cluster(connection.nodes, connection.options)
      : connection.kind === 'url'
        ? new Redis(connection.url, connection.options)
        : new Redis(connection.options);
  client.on('error', () => {
    // Surfaced through failed commands and /readyz; without a listener ioredis would log to stderr.
  });
  return client;
}

/** Where the connection points, without credentials, for logs. */
export function describeRedisConnection(connection: RedisConnection): string {
  if (connection.kind === 'url') {
    const url = new URL(connection.url);
    return `${url.protocol}//${url.host}`;
  }
  const list = (nodes: HostPort[]) => nodes.map((node) => `${node.host}:${node.port}`).join(',');
  if (connection.kind === 'cluster') return `cluster ${list(connection.nodes)}`;
  return `sentinel master "${connection.options.name}" via ${list(connection.options.sentinels as HostPort[])}`;
}
