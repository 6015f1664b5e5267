import fs from 'node:fs';
import path from 'node:path';
import { LocalNeo4j, startLocalNeo4j } from '../../graph/local/localNeo4j';
import { freePort } from '../../graph/local/processes';
import { LocalRedis, startLocalRedis } from '../../server/cache/localRedis';

export interface ScratchServices {
  neo4jUri: string;
  redisUrl: string;
  stop(): Promise<void>;
}

/**
 * The Neo4j and Redis a test or benchmark run talks to: NEO4J_URI / REDIS_URL when given, else
 * throwaway local ones on free ports in a scratch folder that is deleted when they stop.
 */
export async function scratchServices(
  scratch: string,
  options: { heap: string; pageCacheMb: number; say: (message: string) => void },
): Promise<ScratchServices> {
  const started: Array<LocalNeo4j | LocalRedis> = [];
  const stop = async () => {
    for (const service of started.reverse()) await service.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  };
  try {
    let neo4jUri = process.env.NEO4J_URI;
    if (!neo4jUri) {
      const t0 = Date.now();
      const neo4j = await startLocalNeo4j({ homeDir: path.join(scratch, 'neo4j'), boltPort: await freePort(), heap: options.heap, pageCacheMb: options.pageCacheMb, log: options.say });
      started.push(neo4j);
      neo4jUri = neo4j.uri;
      options.say(`local Neo4j ready at ${neo4j.uri} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    }
    let redisUrl = process.env.REDIS_URL;
    if (!redisUrl) {
      const redis = await startLocalRedis(await freePort(), path.join(scratch, 'redis'));
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
