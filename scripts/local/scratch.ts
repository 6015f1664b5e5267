import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './processes';
import { startLocalServices } from './services';

export interface ScratchServices {
  neo4jUri: string;
  redisUrl: string;
  stop(): Promise<void>;
}

/**
 * The Neo4j and Redis a test or benchmark run talks to: NEO4J_URI / REDIS_URL when given, else
 * throwaway local ones on free ports in a scratch folder that is deleted when they stop (always, with `ignoreGivenUris`).
 */
export async function scratchServices(
  scratch: string,
  options: { heap: string; pageCacheMb: number; say: (message: string) => void; ignoreGivenUris?: boolean },
): Promise<ScratchServices> {
  const services = await startLocalServices({
    neo4jUri: options.ignoreGivenUris ? undefined : process.env.NEO4J_URI,
    redisUrl: options.ignoreGivenUris ? undefined : process.env.REDIS_URL,
    neo4j: { homeDir: path.join(scratch, 'neo4j'), boltPort: await freePort(), heap: options.heap, pageCacheMb: options.pageCacheMb },
    redis: { dir: path.join(scratch, 'redis'), port: await freePort() },
    say: options.say,
  }).catch((error: unknown) => {
    fs.rmSync(scratch, { recursive: true, force: true });
    throw error;
  });
  return {
    neo4jUri: services.neo4jUri,
    redisUrl: services.redisUrl!,
    async stop() {
      await services.stop();
      fs.rmSync(scratch, { recursive: true, force: true });
    },
  };
}
