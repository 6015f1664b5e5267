import { loadSyntheticGraph } from './bulkLoad';
import { cypher, Graph } from './neo4j';
import { generateSyntheticGraph } from './synthetic';

const DEMO_SIZE = 2000;
const DEMO_SEED = 42;

const IS_EMPTY = cypher('demo.isEmpty', 'RETURN NOT EXISTS { MATCH (:Customer) } AS empty');

/** Loads the seeded demo network when the graph holds no customer yet; returns what it loaded. */
export async function seedDemoData(graph: Graph): Promise<{ customers: number; seed: number } | undefined> {
  const [row] = await graph.read(IS_EMPTY);
  if (!row.empty) return undefined;
  await loadSyntheticGraph(graph, generateSyntheticGraph(DEMO_SIZE, DEMO_SEED));
  return { customers: DEMO_SIZE, seed: DEMO_SEED };
}
