import { applyMigrations } from '../../graph/migrations';
import { testGraph } from './services';

/**
 * Jest's global setup for the integration project: the shared store gets its constraints and indexes before any test
 * runs, as a service's store does before it serves. Files that write through graph/ directly (no test API) would
 * otherwise run first on a fresh store without them: concurrent MERGEs there made two nodes where a constraint allows
 * one, and every later migration then failed on the duplicates.
 */
export default async function migrateSharedStore(): Promise<void> {
  const graph = testGraph();
  try {
    await applyMigrations(graph);
  } finally {
    await graph.close();
  }
}
