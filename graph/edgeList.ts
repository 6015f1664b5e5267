import { LOAD_CUSTOMERS, LOAD_KNOWS, loadInBatches } from './bulkLoad';
import { Graph } from './neo4j';

export interface EdgeListLineError {
  line: number;
  message: string;
}

export interface ParsedEdgeList {
  pairs: Array<[string, string]>;
  errors: EdgeListLineError[];
  /** Lines that held an edge, comments and blank lines aside. */
  edgeLines: number;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/;

/** One `a b` pair per line, whitespace-separated, `#` comments and blank lines allowed. */
export function parseEdgeList(text: string, prefix = ''): ParsedEdgeList {
  const pairs: Array<[string, string]> = [];
  const errors: EdgeListLineError[] = [];
  let edgeLines = 0;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    if (line === '' || line.startsWith('#')) continue;
    edgeLines++;
    const fields = line.split(/\s+/);
    if (fields.length !== 2) {
      errors.push({ line: index + 1, message: `expected two ids, found ${fields.length} fields` });
    } else if (!ID_PATTERN.test(prefix + fields[0]) || !ID_PATTERN.test(prefix + fields[1])) {
      errors.push({ line: index + 1, message: `"${line.slice(0, 60)}" holds an id that is not 1–128 letters, digits or _ . : @ -` });
    } else if (fields[0] === fields[1]) {
      errors.push({ line: index + 1, message: `"${fields[0]}" cannot be connected to itself` });
    } else {
      pairs.push([prefix + fields[0], prefix + fields[1]]);
    }
  }
  return { pairs, errors, edgeLines };
}

/**
 * Customers for every id and one KNOWS per pair, in batches of MERGEs: a re-run adds nothing.
 * Callers parse the whole file first, so a bad line stops the import before anything is written.
 */
export async function importEdgeList(
  graph: Graph,
  pairs: ReadonlyArray<[string, string]>,
  progress?: (what: string, done: number, total: number) => void,
  batchSize = 10_000,
): Promise<{ customers: number; connections: number }> {
  const ids = [...new Set(pairs.flat())];
  const now = Date.now();
  const customers = ids.map((id) => ({ id, name: null, stage: 'STRANGER', stageRank: 0, createdAt: now, signedUpAt: null }));
  await loadInBatches(graph, LOAD_CUSTOMERS, customers, batchSize, (done, total) => progress?.('customers', done, total));
  const connections = pairs.map(([a, b]) => [a, b, 0.5]);
  await loadInBatches(graph, LOAD_KNOWS, connections, batchSize, (done, total) => progress?.('connections', done, total), { now });
  return { customers: ids.length, connections: pairs.length };
}
