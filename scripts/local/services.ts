import path from 'node:path';
import { LocalNeo4j, startLocalNeo4j } from './localNeo4j';
import { LocalRedis, redisServerInstalled, startLocalRedis } from './localRedis';

export interface LocalServicesOptions {
  /** An existing Neo4j; when unset a local one is started. */
  neo4jUri?: string;
  /** An existing Redis; when unset a local one is started (or none, see `redisOptional`). */
  redisUrl?: string;
  /** Redis is reached some other way (a Cluster, Sentinels): start none. */
  redisElsewhere?: boolean;
  neo4j: { homeDir: string; boltPort: number; heap: string; pageCacheMb?: number };
  redis: { dir: string; port: number };
  /** True for `npm start`: without redis-server installed the service runs with an in-process store. */
  redisOptional?: boolean;
  say: (message: string) => void;
}

export interface LocalServices {
  neo4jUri: string;
  /** Undefined only when Redis was optional and redis-server is not installed. */
  redisUrl: string | undefined;
  /** Stops what this started, in reverse order; services given by URI are left alone. */
  stop(): Promise<void>;
}

/**
 * The Neo4j and Redis a command talks to: the ones named by URI, else local children started here.
 * `npm start`, `npm test`, the import and the benchmarks all come through this one function.
 */
export async function startLocalServices(options: LocalServicesOptions): Promise<LocalServices> {
  const started: Array<LocalNeo4j | LocalRedis> = [];
  const stop = async () => {
    for (const service of started.reverse()) {
      await service.stop().catch((error: Error) => options.say(`stopping ${service.name} failed: ${error.message}`));
    }
  };
  try {
    let neo4jUri = options.neo4jUri;
    if (!neo4jUri) {
      const t0 = Date.now();
      options.say(`starting a local Neo4j on port ${options.neo4j.boltPort}`);
      const neo4j = await startLocalNeo4j({ ...options.neo4j, homeDir: path.resolve(options.neo4j.homeDir), log: options.say });
      started.push(neo4j);
      neo4jUri = neo4j.uri;
      options.say(`local Neo4j ready at ${neo4j.uri} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    }
    let redisUrl = options.redisUrl;
    if (!redisUrl && !options.redisElsewhere && (!options.redisOptional || redisServerInstalled())) {
      const redis = await startLocalRedis(options.redis.port, path.resolve(options.redis.dir));
      started.push(redis);
      redisUrl = redis.url;
      options.say(`local Redis ready at ${redis.url}`);
    }
    return { neo4jUri, redisUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
