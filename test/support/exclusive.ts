import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { scratchServices, ScratchServices } from '../../scripts/local/scratch';
import { cypher } from '../../graph/neo4j';
import { startTestApi, TestApi, testGraph, testStore, TestServiceUris } from './services';

/**
 * Whole-graph answers (ABC tiers over all revenue, communities, fraud rings, seeding) cannot be checked on the shared
 * database, where every other test's customers take part. A test of one gets a Neo4j and a Redis of its own, empty:
 *
 * - under `npm test`, the second pair that scripts/test.ts started (NEO4J_EXCLUSIVE_URI, REDIS_EXCLUSIVE_URL), wiped
 *   here first; jest runs one file at a time, so no other file is using it;
 * - otherwise (a developer running one file against shared services), a scratch pair started for this file alone.
 */
export async function startExclusiveTestApi(overrides: Record<string, string> = {}): Promise<TestApi & { uris: TestServiceUris }> {
  const given = process.env.NEO4J_EXCLUSIVE_URI && process.env.REDIS_EXCLUSIVE_URL;
  let scratch: ScratchServices | undefined;
  let uris: TestServiceUris;
  if (given) {
    uris = { neo4jUri: process.env.NEO4J_EXCLUSIVE_URI!, redisUrl: process.env.REDIS_EXCLUSIVE_URL! };
    await wipe(uris);
  } else {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'grapevine-exclusive-'));
    scratch = await scratchServices(folder, { heap: '1g', pageCacheMb: 256, say: () => {}, ignoreGivenUris: true });
    uris = scratch;
  }
  const api = await startTestApi(overrides, uris);
  return {
    ...api,
    /** Where the exclusive pair is, for a second API on the same data (started with other settings). */
    uris,
    async close() {
      await api.close();
      await scratch?.stop();
    },
  };
}

const WIPE_NODES = cypher('test.wipeExclusive', 'MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
const DROP_PROJECTIONS = cypher('test.dropProjections', 'CALL gds.graph.list() YIELD graphName CALL gds.graph.drop(graphName, false) YIELD graphName AS dropped RETURN count(*) AS dropped');

/** Empties the exclusive pair: every node and relationship, every GDS projection, every Redis key. Schema stays. */
async function wipe(uris: TestServiceUris): Promise<void> {
  const graph = testGraph(uris.neo4jUri);
  const store = testStore(uris.redisUrl);
  try {
    await graph.runAutoCommit(WIPE_NODES);
    await graph.write(DROP_PROJECTIONS);
    await store.redis.flushdb();
  } finally {
    await graph.close();
    await store.close();
  }
}
