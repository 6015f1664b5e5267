import { loadInBatches } from './bulkLoad';
import { cypher, Graph } from './neo4j';

export interface EdgeListLineError {
  line: number;
  message: string;
}

export interface ParsedEdgeList {
  /** Every id the file names, each once, in first-seen order (an id named only by a self-loop included). */
  ids: string[];
  /** Each undirected connection once, as first written: `a b` and a later `b a` are one pair. */
  pairs: Array<[string, string]>;
  errors: EdgeListLineError[];
  /** Lines that held an edge, comments and blank lines aside. */
  edgeLines: number;
  /** `a a` lines: a customer does not know themself, so they are skipped. */
  selfLoops: number;
  /** Lines repeating a connection already read, in either direction. */
  duplicates: number;
}

export interface EdgeListImport {
  customersCreated: number;
  connectionsCreated: number;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/;

/** Ids cannot hold whitespace, so a space joins the two ends of a pair into one unambiguous key. */
const undirectedKey = (a: string, b: string) => (a < b ? `${a} ${b}` : `${b} ${a}`);

/**
 * One `a b` pair per line, whitespace-separated, `#` comments and blank lines allowed. Public graphs carry
 * self-loops and repeated edges: those are counted and left out; only a line that cannot be read is an error.
 */
export function parseEdgeList(text: string, prefix = ''): ParsedEdgeList {
  const ids = new Set<string>();
  const pairs: Array<[string, string]> = [];
  const seenPairs = new Set<string>();
  const errors: EdgeListLineError[] = [];
  let edgeLines = 0;
  let selfLoops = 0;
  let duplicates = 0;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    if (line === '' || line.startsWith('#')) continue;
    edgeLines++;
    const fields = line.split(/\s+/);
    if (fields.length !== 2) {
      errors.push({ line: index + 1, message: `expected two ids, found ${fields.length} fields` });
      continue;
    }
    const [a, b] = [prefix + fields[0], prefix + fields[1]];
    if (!ID_PATTERN.test(a) || !ID_PATTERN.test(b)) {
      errors.push({ line: index + 1, message: `"${line.slice(0, 60)}" holds an id that is not 1–128 letters, digits or _ . : @ -` });
      continue;
    }
    ids.add(a).add(b);
    if (a === b) {
      selfLoops++;
      continue;
    }
    const key = undirectedKey(a, b);
    if (seenPairs.has(key)) {
      duplicates++;
      continue;
    }
    seenPairs.add(key);
    pairs.push([a, b]);
  }
  return { ids: [...ids], pairs, errors, edgeLines, selfLoops, duplicates };
}

// Each statement reports how many of its rows it created, so that the import can say what it stored.
// The rows of one call are distinct (parseEdgeList made them so): checking before the MERGE is exact.
const IMPORT_CUSTOMERS = cypher(
  'edgeList.customers',
  `UNWIND $rows AS id
   OPTIONAL MATCH (existing:Customer {id: id})
   WITH id, existing IS NULL AS isNew
   MERGE (c:Customer {id: id})
   ON CREATE SET c.stage = 'STRANGER', c.stageRank = 0, c.createdAt = $now
   RETURN count(CASE WHEN isNew THEN 1 END) AS created`,
);
const IMPORT_KNOWS = cypher(
  'edgeList.knows',
  `UNWIND $rows AS pair
   MATCH (a:Customer {id: pair[0]}), (b:Customer {id: pair[1]})
   WITH a, b, EXISTS { (a)-[:KNOWS]-(b) } AS existed
   MERGE (a)-[k:KNOWS]-(b)
   ON CREATE SET k.strength = $strength, k.since = $now
   RETURN count(CASE WHEN NOT existed THEN 1 END) AS created`,
);

/** An edge list says nothing about how close two people are: the middle of the 0–1 scale. */
const IMPORTED_STRENGTH = 0.5;

const sumCreated = (rows: ReadonlyArray<Record<string, unknown>>) => rows.reduce((sum, row) => sum + Number(row.created), 0);

/**
 * A customer for every id and one KNOWS per pair, in batches of MERGEs: a re-run creates nothing.
 * Callers parse the whole file first, so a bad line stops the import before anything is written.
 */
export async function importEdgeList(
  graph: Graph,
  edges: Pick<ParsedEdgeList, 'ids' | 'pairs'>,
  progress?: (what: string, done: number, total: number) => void,
  batchSize = 10_000,
): Promise<EdgeListImport> {
  const now = Date.now();
  const customerRows = await loadInBatches(graph, IMPORT_CUSTOMERS, edges.ids, batchSize, (done, total) => progress?.('customers', done, total), { now });
  const knowsRows = await loadInBatches(graph, IMPORT_KNOWS, edges.pairs, batchSize, (done, total) => progress?.('connections', done, total), {
    now,
    strength: IMPORTED_STRENGTH,
  });
  return { customersCreated: sumCreated(customerRows), connectionsCreated: sumCreated(knowsRows) };
}
