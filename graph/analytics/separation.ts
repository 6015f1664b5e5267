import type { ConnectionKind } from '../../schema/generated/types';
import { CUSTOMER_PROJECTION, customersByIds, requireCustomersIn } from '../customers';
import { notFound } from '../errors';
import type { CustomerRecord } from '../model';
import { cypher, Graph } from '../neo4j';
import { checkId } from '../validate';
import { hopBound, perTypesAndHops, relationshipTypes } from './kinds';

export const MAX_SEPARATION_HOPS = 10;
export const MAX_PROFILE_HOPS = 6;

export interface SeparationRecord {
  degrees: number | null;
  /** The customers from `from` to `to`; empty when not connected within the bound. */
  path: CustomerRecord[];
}

type SeparationRow = { from: string; to: string; path: CustomerRecord[] | null };

// Bidirectional BFS (shortestPath) over the chosen types in either direction; uses the customer_id constraint.
// The path comes back as customer records, so the API answers with this one query and loads nothing more.
export const separationQuery = perTypesAndHops((types, maxHops) =>
  cypher<SeparationRow>(
    'analytics.degreesOfSeparation',
    `MATCH (a:Customer {id: $from}), (b:Customer {id: $to})
     OPTIONAL MATCH p = shortestPath((a)-[:${types}*..${maxHops}]-(b))
     RETURN a.id AS from, b.id AS to, [n IN nodes(p) | n ${CUSTOMER_PROJECTION}] AS path`,
  ),
);

export async function degreesOfSeparation(
  graph: Graph,
  from: string,
  to: string,
  via: readonly ConnectionKind[],
  maxHops: number,
): Promise<SeparationRecord> {
  checkId('from', from);
  checkId('to', to);
  const types = relationshipTypes('via', via);
  const hops = hopBound('maxHops', maxHops, MAX_SEPARATION_HOPS);
  if (from === to) {
    const customer = (await customersByIds(graph, [from])).get(from);
    if (!customer) throw notFound('from', `no customer with id "${from}".`);
    return { degrees: 0, path: [customer] };
  }
  const [row] = await graph.read(separationQuery(types, hops), { from, to });
  if (!row) {
    await requireCustomersIn(graph, { from, to });
    throw new Error('unreachable: both customers exist but the query returned nothing');
  }
  const path = row.path ?? [];
  return path.length > 0 ? { degrees: path.length - 1, path } : { degrees: null, path: [] };
}

// Breadth-first with global node uniqueness: each customer is reached once, at its shortest distance.
const SEPARATION_PROFILE = cypher<HopCountRecord>(
  'analytics.separationProfile',
  `MATCH (start:Customer {id: $id})
   CALL apoc.path.expandConfig(start, {relationshipFilter: $types, labelFilter: '+Customer', minLevel: 1, maxLevel: $maxHops, bfs: true, uniqueness: 'NODE_GLOBAL'})
   YIELD path
   RETURN length(path) AS hops, count(*) AS customers
   ORDER BY hops`,
);

export interface HopCountRecord {
  hops: number;
  customers: number;
}

/** How many distinct customers are exactly 1, 2, … maxHops hops away (zeros included). */
export async function separationProfile(
  graph: Graph,
  customerId: string,
  via: readonly ConnectionKind[],
  maxHops: number,
): Promise<HopCountRecord[]> {
  checkId('customerId', customerId);
  const types = relationshipTypes('via', via);
  const hops = hopBound('maxHops', maxHops, MAX_PROFILE_HOPS);
  await requireCustomersIn(graph, { customerId });
  return reachByHop(graph, customerId, types, hops);
}

export async function reachByHop(graph: Graph, customerId: string, types: string, maxHops: number): Promise<HopCountRecord[]> {
  const rows = await graph.read(SEPARATION_PROFILE, { id: customerId, types, maxHops });
  const counts = new Map(rows.map((row) => [row.hops, row.customers]));
  return Array.from({ length: maxHops }, (_, i) => ({ hops: i + 1, customers: counts.get(i + 1) ?? 0 }));
}

