import crypto from 'node:crypto';
import { cypher, Graph } from './neo4j';

/**
 * GDS projections live in Neo4j's heap until dropped. Every computation here projects under a name starting with
 * PROJECTION_PREFIX and drops it in a `finally`; a process killed in between leaves its projection behind, holding
 * memory until Neo4j restarts. The projection-cleanup job drops such leftovers once they are older than any
 * computation runs.
 */
export const PROJECTION_PREFIX = 'grapevine-';

/** A name for a new projection of this kind (`pagerank`, `community`, …), unique to the computation. */
export const projectionName = (kind: string) => `${PROJECTION_PREFIX}${kind}-${crypto.randomUUID()}`;

const DROP_STALE = cypher<{ dropped: string[] }>(
  'projections.dropStale',
  `CALL gds.graph.list() YIELD graphName, creationTime
   WHERE graphName STARTS WITH $prefix AND creationTime < datetime({epochMillis: $before})
   CALL gds.graph.drop(graphName, false) YIELD graphName AS dropped
   RETURN collect(dropped) AS dropped`,
);

/** Drops this service's projections created before `before` (epoch ms); returns their names. */
export async function dropStaleProjections(graph: Graph, before: number): Promise<string[]> {
  const [row] = await graph.write(DROP_STALE, { prefix: PROJECTION_PREFIX, before });
  return row?.dropped ?? [];
}
