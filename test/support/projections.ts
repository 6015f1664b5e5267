import { cypher, Graph } from '../../graph/neo4j';
import { processProjectionPrefix } from '../../graph/projections';

const PROJECTIONS_WITH_PREFIX = cypher<{ n: number }>(
  'test.projections',
  'CALL gds.graph.list() YIELD graphName WHERE graphName STARTS WITH $prefix RETURN count(*) AS n',
);

/**
 * How many GDS projections of `kind` this process holds: only its own, since other test processes may project on the
 * same database at the same time.
 */
export async function projectionsLeft(graph: Graph, kind: string): Promise<number> {
  const [row] = await graph.read(PROJECTIONS_WITH_PREFIX, { prefix: processProjectionPrefix(kind) });
  return row.n;
}
