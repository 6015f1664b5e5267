import crypto from 'node:crypto';
import { cypher, Graph } from './neo4j';

/**
 * GDS projections live in Neo4j's heap until dropped. Every computation here projects under a name starting with
 * PROJECTION_PREFIX and drops it in a `finally`; a process killed in between leaves its projection behind, holding
 * memory until Neo4j restarts. The projection-cleanup job drops such leftovers once they are older than any
 * computation runs.
 */
export const PROJECTION_PREFIX = 'grapevine-';

/**
 * Names this process's projections apart from those of other processes sharing the database (other API replicas,
 * test workers), so a process can tell which projections it made.
 */
export const PROCESS_PROJECTION_TOKEN = crypto.randomUUID().slice(0, 8);

/** The prefix of every projection of this kind (`pagerank`, `community`, …) this process makes. */
export const processProjectionPrefix = (kind: string) => `${PROJECTION_PREFIX}${kind}-${PROCESS_PROJECTION_TOKEN}-`;

/** A name for a new projection of this kind, unique to the computation. */
export const projectionName = (kind: string) => `${processProjectionPrefix(kind)}${crypto.randomUUID()}`;

const DROP_STALE = cypher<{ dropped: string[] }>(
  'projections.dropStale',
  `CALL gds.graph.list() YIELD graphName, creationTime
   WHERE graphName STARTS WITH $prefix AND creationTime < datetime({epochMillis: $before})
   CALL gds.graph.drop(graphName, false) YIELD graphName AS dropped
   RETURN collect(dropped) AS dropped`,
);

/**
 * Drops this service's projections created before `before` (epoch ms), or only those whose names start with `prefix`;
 * returns their names.
 */
export async function dropStaleProjections(graph: Graph, before: number, prefix = PROJECTION_PREFIX): Promise<string[]> {
  const [row] = await graph.write(DROP_STALE, { prefix, before });
  return row?.dropped ?? [];
}
