import { cypher, Graph } from '../neo4j';
import { projectionName } from '../projections';
import { ALL_KINDS, undirectedProjection } from './communities';

/**
 * Bridges: the customers with the highest betweenness centrality (GDS, Brandes' algorithm) over an undirected
 * projection of every kind of tie (KNOWS, FOLLOWS, REFERRED), i.e. those on the most shortest paths between
 * other customers. For an undirected graph GDS counts each unordered pair once.
 *
 * Exact betweenness costs one shortest-path search per customer (O(n·m)); above `exactMaxCustomers` it is
 * estimated from `samplingSize` source customers drawn with `samplingSeed` (GDS's own sampling), and the
 * answer says which sampling it used.
 */
export const MAX_BRIDGES = 100;

export interface BridgeSampling {
  /** Customers up to which betweenness is exact. */
  exactMaxCustomers: number;
  /** Source customers sampled above that. */
  samplingSize: number;
  samplingSeed: number;
}

export interface BridgeRecord {
  customerId: string;
  betweenness: number;
}

export interface BridgesRecord {
  customers: number;
  /** Null when exact. */
  samplingSize: number | null;
  samplingSeed: number | null;
  bridges: BridgeRecord[];
}

const CUSTOMER_COUNT = cypher<{ customers: number }>('bridges.customerCount', 'MATCH (c:Customer) RETURN count(c) AS customers');

// Project, stream, drop in one transaction so that it all runs on the one server the driver picked. The bridges are
// collected in a subquery, which returns one row even when no customer scores above 0 (no customer lies between two
// others), so the projection is dropped then too.
const BETWEENNESS = cypher<{ bridges: BridgeRecord[] }>(
  'analytics.betweenness',
  `CALL gds.graph.project($graphName, 'Customer', $relationships) YIELD graphName
   CALL (graphName) {
     CALL gds.betweenness.stream(graphName, $settings) YIELD nodeId, score
     WITH nodeId, score WHERE score > 0
     WITH gds.util.asNode(nodeId) AS c, score
     ORDER BY score DESC, c.id LIMIT $limit
     RETURN collect({customerId: c.id, betweenness: score}) AS bridges
   }
   CALL gds.graph.drop(graphName, false) YIELD graphName AS dropped
   RETURN bridges`,
);
const DROP_PROJECTION = cypher('bridges.dropProjection', 'CALL gds.graph.drop($graphName, false) YIELD graphName RETURN graphName');

/** The top MAX_BRIDGES customers by betweenness (those above 0), best first, ties by id. */
export async function computeBridges(graph: Graph, sampling: BridgeSampling): Promise<BridgesRecord> {
  const [{ customers }] = await graph.read(CUSTOMER_COUNT);
  const sampled = customers > sampling.exactMaxCustomers;
  const stated = { customers, samplingSize: sampled ? sampling.samplingSize : null, samplingSeed: sampled ? sampling.samplingSeed : null };
  const relationships = await undirectedProjection(graph, ALL_KINDS);
  if (relationships === null || customers === 0) return { ...stated, bridges: [] };
  const settings = sampled ? { samplingSize: sampling.samplingSize, samplingSeed: sampling.samplingSeed } : {};
  const graphName = projectionName('betweenness');
  try {
    // Outside a managed transaction: sampled betweenness at 1M customers can outrun NEO4J_TX_TIMEOUT_SECONDS,
    // which bounds request queries; only the background job (or the first request) runs this.
    const [row] = await graph.runAutoCommit(BETWEENNESS, { graphName, relationships, settings, limit: MAX_BRIDGES });
    return { ...stated, bridges: row.bridges };
  } catch (error) {
    await graph.read(DROP_PROJECTION, { graphName }).catch(() => undefined);
    throw error;
  }
}
