import fs from 'node:fs';
import { SyntheticGraph } from '../../graph/synthetic';
import { writeSyntheticCsv } from '../syntheticCsv';
import { adminImport } from './adminImport';

/** The instant every synthetic KNOWS is `since`, on both import paths (graph/bulkLoad.ts uses the same). */
export const SYNTHETIC_KNOWS_SINCE = Date.UTC(2026, 0, 1);

/**
 * A synthetic graph written into a local store that has no database yet, through CSV files and the import
 * tool; the caller starts the local Neo4j afterwards and applies migrations (constraints, indexes).
 */
export async function importSyntheticIntoFreshStore(
  homeDir: string,
  data: SyntheticGraph,
  options: { heap: string; out: NodeJS.WritableStream; say: (message: string) => void },
): Promise<void> {
  const csvDir = `${homeDir}-import-csv`;
  try {
    const started = Date.now();
    const files = writeSyntheticCsv(data, csvDir, SYNTHETIC_KNOWS_SINCE);
    options.say(`wrote the CSV files in ${((Date.now() - started) / 1000).toFixed(1)}s; running neo4j-admin database import into the new store`);
    await adminImport(homeDir, files, { heap: options.heap, out: options.out });
  } finally {
    fs.rmSync(csvDir, { recursive: true, force: true });
  }
}
