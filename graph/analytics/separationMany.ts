import type { ConnectionKind } from '../../schema/generated/types';
import { CUSTOMER_PROJECTION } from '../customers';
import { badInput, notFound } from '../errors';
import type { CustomerRecord } from '../model';
import { cypher, Graph } from '../neo4j';
import { checkId } from '../validate';
import { hopBound, perTypesAndHops, relationshipTypes } from './kinds';
import { MAX_SEPARATION_HOPS, SeparationRecord } from './separation';

/** The most targets one degreesOfSeparationMany call takes. */
export const MAX_SEPARATION_TARGETS = 100;

type SeparationManyRow = { from: CustomerRecord; targetId: string; found: boolean; path: CustomerRecord[] | null };

// One bidirectional shortestPath per target, all in one query and one round trip. Measured against a single
// breadth-first search from `from` that stops once every target is reached (apoc.path.expandConfig, NODE_GLOBAL,
// endNodes, limit; scripts/bench/results/api-overhead.md): on graphs with heavy-tailed degrees that search reaches
// most of the graph within a few hops whenever one target is far, while each bidirectional search meets in the
// middle after touching a few thousand relationships. Each answer is exact: shortestPath is a breadth-first search
// from both ends. A target that does not exist comes back with found = false, so validation costs no second round
// trip; the source itself is answered without a search (shortestPath refuses equal ends). Uses the customer_id constraint.
export const separationManyQuery = perTypesAndHops((types, maxHops) =>
  cypher<SeparationManyRow>(
    'analytics.degreesOfSeparationMany',
    `MATCH (start:Customer {id: $from})
     UNWIND $to AS targetId
     OPTIONAL MATCH (target:Customer {id: targetId}) WHERE target <> start
     OPTIONAL MATCH p = shortestPath((start)-[:${types}*..${maxHops}]-(target))
     RETURN start ${CUSTOMER_PROJECTION} AS from, targetId, target IS NOT NULL AS found,
            [n IN nodes(p) | n ${CUSTOMER_PROJECTION}] AS path`,
  ),
);

/**
 * The separation between one customer and each of `to`, in the order given (a repeated target gets
 * the same answer again). NOT_FOUND names `from` or the first unknown target (`to[3]`).
 */
export async function degreesOfSeparationMany(
  graph: Graph,
  from: string,
  to: readonly string[],
  via: readonly ConnectionKind[],
  maxHops: number,
): Promise<SeparationRecord[]> {
  checkId('from', from);
  if (to.length < 1 || to.length > MAX_SEPARATION_TARGETS) {
    throw badInput('to', `to must name 1 to ${MAX_SEPARATION_TARGETS} customers; got ${to.length}.`);
  }
  to.forEach((id, index) => checkId(`to[${index}]`, id));
  const types = relationshipTypes('via', via);
  const hops = hopBound('maxHops', maxHops, MAX_SEPARATION_HOPS);

  const targets = [...new Set(to)].filter((id) => id !== from);
  const rows = await graph.read(separationManyQuery(types, hops), { from, to: targets.length > 0 ? targets : [from] });
  if (rows.length === 0) throw notFound('from', `no customer with id "${from}".`);
  const known = new Set([from, ...rows.filter((row) => row.found).map((row) => row.targetId)]);
  const unknown = to.findIndex((id) => !known.has(id));
  if (unknown >= 0) throw notFound(`to[${unknown}]`, `no customer with id "${to[unknown]}".`);

  const source = rows[0].from;
  const pathTo = new Map(rows.filter((row) => row.path && row.path.length > 0).map((row) => [row.targetId, row.path!]));
  return to.map((id): SeparationRecord => {
    if (id === from) return { degrees: 0, path: [source] };
    const path = pathTo.get(id);
    return path ? { degrees: path.length - 1, path } : { degrees: null, path: [] };
  });
}
