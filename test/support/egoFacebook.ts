import fs from 'node:fs';
import path from 'node:path';
import { importEdgeList, parseEdgeList } from '../../graph/edgeList';
import { Graph } from '../../graph/neo4j';

/** The public SNAP ego-Facebook graph, read from the shared datasets folder, never copied here. */
export const EGO_FACEBOOK = path.resolve(__dirname, '..', '..', '..', 'shared', 'datasets', 'ego-facebook.edges');

export interface AdjacencyGraph {
  ids: string[];
  neighbours: Map<string, string[]>;
}

/** An independent reading of the file: adjacency lists built here, not from Neo4j. */
export function readAdjacency(file: string, prefix: string): AdjacencyGraph {
  const neighbours = new Map<string, string[]>();
  const add = (a: string, b: string) => {
    if (!neighbours.has(a)) neighbours.set(a, []);
    neighbours.get(a)!.push(b);
  };
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [a, b] = line.trim().split(/\s+/);
    if (!a || !b || a.startsWith('#')) continue;
    add(prefix + a, prefix + b);
    add(prefix + b, prefix + a);
  }
  return { ids: [...neighbours.keys()].sort(), neighbours };
}

/** Plain breadth-first search: the distance of every reachable node. */
export function bfsDistances(graph: AdjacencyGraph, start: string, maxHops = Infinity): Map<string, number> {
  const distance = new Map<string, number>([[start, 0]]);
  let frontier = [start];
  for (let hops = 1; frontier.length > 0 && hops <= maxHops; hops++) {
    const next: string[] = [];
    for (const node of frontier) {
      for (const neighbour of graph.neighbours.get(node) ?? []) {
        if (!distance.has(neighbour)) {
          distance.set(neighbour, hops);
          next.push(neighbour);
        }
      }
    }
    frontier = next;
  }
  return distance;
}

export async function importEgoFacebook(graph: Graph, prefix: string): Promise<void> {
  const parsed = parseEdgeList(fs.readFileSync(EGO_FACEBOOK, 'utf8'), prefix);
  if (parsed.errors.length > 0) throw new Error(`ego-Facebook has bad lines: ${JSON.stringify(parsed.errors.slice(0, 3))}`);
  await importEdgeList(graph, parsed);
}
