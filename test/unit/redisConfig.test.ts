import { Cluster } from 'ioredis';
import { createRedisClient, describeRedisConnection, redisConnection } from '../../server/cache/redisConnection';
import { loadConfig, parseHostPorts } from '../../server/config';

// No Redis Cluster or Sentinel can run here: these check what the configuration turns into,
// up to the ioredis client, which connects only on its first command (lazyConnect).

describe('Redis topology configuration', () => {
  test('REDIS_URL alone gives one server with fail-fast options', () => {
    const connection = redisConnection(loadConfig({ REDIS_URL: 'redis://cache:6379' }));
    expect(connection).toEqual({ kind: 'url', url: 'redis://cache:6379', options: { maxRetriesPerRequest: 1, connectTimeout: 2000 } });
  });

  test('no Redis variable means no connection (the store is then in-process)', () => {
    expect(redisConnection(loadConfig({}))).toBeUndefined();
  });

  test('REDIS_CLUSTER_NODES gives a cluster of its seed nodes, with credentials and TLS for every node', () => {
    const connection = redisConnection(
      loadConfig({ REDIS_CLUSTER_NODES: 'redis-a:7000, redis-b:7001,[::1]:7002', REDIS_PASSWORD: 'secret', REDIS_USERNAME: 'grapevine', REDIS_TLS: 'true' }),
    );
    expect(connection).toMatchObject({
      kind: 'cluster',
      nodes: [
        { host: 'redis-a', port: 7000 },
        { host: 'redis-b', port: 7001 },
        { host: '::1', port: 7002 },
      ],
      options: { redisOptions: { password: 'secret', username: 'grapevine', tls: {}, maxRetriesPerRequest: 1 } },
    });
    expect(describeRedisConnection(connection!)).toBe('cluster redis-a:7000,redis-b:7001,::1:7002');
  });

  test('REDIS_SENTINELS with REDIS_SENTINEL_NAME gives a client that asks the sentinels for the master', () => {
    const connection = redisConnection(loadConfig({ REDIS_SENTINELS: 's1:26379,s2:26379,s3:26379', REDIS_SENTINEL_NAME: 'grapevine', REDIS_PASSWORD: 'secret' }));
    expect(connection).toMatchObject({
      kind: 'sentinel',
      options: {
        name: 'grapevine',
        sentinels: [
          { host: 's1', port: 26379 },
          { host: 's2', port: 26379 },
          { host: 's3', port: 26379 },
        ],
        password: 'secret',
        sentinelPassword: 'secret',
      },
    });
    expect(describeRedisConnection(connection!)).toBe('sentinel master "grapevine" via s1:26379,s2:26379,s3:26379');
  });

  test('the cluster configuration builds an ioredis Cluster client and the others a plain client', () => {
    const cluster = createRedisClient({ ...redisConnection(loadConfig({ REDIS_CLUSTER_NODES: 'redis-a:7000' }))!, options: { lazyConnect: true } } as never);
    expect(cluster).toBeInstanceOf(Cluster);
    cluster.disconnect();
    const sentinel = redisConnection(loadConfig({ REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_NAME: 'm' }))!;
    const client = createRedisClient({ ...sentinel, options: { ...sentinel.options, lazyConnect: true } } as never);
    expect(client).not.toBeInstanceOf(Cluster);
    expect(client.options).toMatchObject({ name: 'm', sentinels: [{ host: 's1', port: 26379 }] });
    client.disconnect();
  });

  test('conflicting or malformed Redis variables are refused with a message naming them', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'b:7000' })).toThrow(/REDIS_URL, REDIS_CLUSTER_NODES: set only one of/);
    expect(() => loadConfig({ REDIS_SENTINELS: 's1:26379' })).toThrow(/REDIS_SENTINEL_NAME: required with REDIS_SENTINELS/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis-a' })).toThrow(/REDIS_CLUSTER_NODES entry "redis-a" must be host:port/);
    expect(() => loadConfig({ REDIS_SENTINELS: 's1:99999', REDIS_SENTINEL_NAME: 'm' })).toThrow(/REDIS_SENTINELS entry "s1:99999" must be host:port with a port between 1 and 65535/);
    expect(() => loadConfig({ REDIS_TLS: 'yes' })).toThrow(/REDIS_TLS must be true or false/);
    expect(() => parseHostPorts('REDIS_CLUSTER_NODES', ' , ')).toThrow(/must list at least one host:port/);
  });

  test('metrics and production settings are validated too', () => {
    expect(loadConfig({})).toMatchObject({ NODE_ENV: 'development', METRICS_HOST: '127.0.0.1', SCHEMA_DETAILS_ROLES: ['admin'] });
    expect(loadConfig({ METRICS_PORT: '9464', SCHEMA_DETAILS_ROLES: 'admin, service' })).toMatchObject({ METRICS_PORT: 9464, SCHEMA_DETAILS_ROLES: ['admin', 'service'] });
    expect(() => loadConfig({ METRICS_PORT: 'nine' })).toThrow(/METRICS_PORT must be a port number/);
    expect(() => loadConfig({ METRICS_KEY: 'short' })).toThrow(/METRICS_KEY must be at least 16 characters/);
    expect(() => loadConfig({ SCHEMA_DETAILS_ROLES: 'root' })).toThrow(/SCHEMA_DETAILS_ROLES must list roles among/);
    expect(() => loadConfig({ NODE_ENV: 'prod' })).toThrow(/NODE_ENV must be development, production or test/);
  });
});
