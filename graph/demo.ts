import { loadSyntheticGraph } from './bulkLoad';
import { cypher, Graph } from './neo4j';
import { generateSyntheticGraph, SyntheticGraph, SyntheticOptions } from './synthetic';

const DEMO_SIZE = 2000;
const DEMO_SEED = 42;
/**
 * Every synthetic option a dashboard page needs something from: purchase histories (value tiers, RFM, lifecycle,
 * repeat-purchase rates), a few planted fraud rings (the review queue and its ring pictures) and the invite-only
 * launch campaign (waitlist positions and waves). Seeded, so every start loads the same network.
 */
export const DEMO_OPTIONS: SyntheticOptions = { purchaseHistories: true, fraud: { rings: 3, ringSize: 4 }, launch: {} };

/** The demo network `npm start` loads on an empty graph (and the dashboard tests load). */
export function demoGraph(): SyntheticGraph {
  return generateSyntheticGraph(DEMO_SIZE, DEMO_SEED, DEMO_OPTIONS);
}

const IS_EMPTY = cypher('demo.isEmpty', 'RETURN NOT EXISTS { MATCH (:Customer) } AS empty');

/** Loads the seeded demo network when the graph holds no customer yet; returns what it loaded. */
export async function seedDemoData(graph: Graph): Promise<{ customers: number; seed: number } | undefined> {
  const [row] = await graph.read(IS_EMPTY);
  if (!row.empty) return undefined;
  await loadSyntheticGraph(graph, demoGraph());
  return { customers: DEMO_SIZE, seed: DEMO_SEED };
}
