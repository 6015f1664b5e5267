import type { ConnectionKind } from '../../schema/generated/types';
import { CUSTOMER_PROJECTION } from '../customers';
import { badInput, notFound } from '../errors';
import type { CustomerRecord } from '../model';
import { cypher, Graph } from '../neo4j';
import { checkId } from '../validate';
import { hopBound, relationshipTypes } from './kinds';
import { MAX_SEPARATION_HOPS, SeparationRecord } from './separation';

/** The most targets one degreesOfSeparationMany call takes. */
export const MAX_SEPARATION_TARGETS = 100;

type SeparationManyRow = { from: CustomerRecord; found: string[]; paths: CustomerRecord[][] };

// One breadth-first search from `from`, not one search per target. NODE_GLOBAL uniqueness visits each
// customer once, at its shortest distance, so the path to every target is a shortest one. `endNodes`
// (unlike `terminatorNodes`) lets the search go on through a target to the targets behind it, and
// `limit` stops it as soon as every target has been reached. Unknown targets are reported by id
// from the same query (`found`), so validation costs no second round trip. Uses the customer_id constraint.
const SEPARATION_MANY = cypher<SeparationManyRow>(
  'analytics.degreesOfSeparationMany',
  `MATCH (start:Customer {id: $from})
   OPTIONAL MATCH (target:Customer) WHERE target.id IN $to AND target <> start
   WITH start, collect(target) AS targets
   CALL (start, targets) {
     WITH start, targets WHERE size(targets) > 0
     CALL apoc.path.expandConfig(start, {relationshipFilter: $types, minLevel: 1, maxLevel: $maxHops, bfs: true,
                                         uniqueness: 'NODE_GLOBAL', endNodes: targets, limit: size(targets)})
     YIELD path
     RETURN collect([n IN nodes(path) | n ${CUSTOMER_PROJECTION}]) AS paths
   }
   RETURN start ${CUSTOMER_PROJECTION} AS from, [t IN targets | t.id] AS found, paths`,
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

  const [row] = await graph.read(SEPARATION_MANY, { from, to: [...new Set(to)], types, maxHops: hops });
  if (!row) throw notFound('from', `no customer with id "${from}".`);
  const known = new Set([from, ...row.found]);
  const unknown = to.findIndex((id) => !known.has(id));
  if (unknown >= 0) throw notFound(`to[${unknown}]`, `no customer with id "${to[unknown]}".`);

  const pathTo = new Map(row.paths.map((path) => [path[path.length - 1].id, path]));
  return to.map((id): SeparationRecord => {
    if (id === from) return { degrees: 0, path: [row.from] };
    const path = pathTo.get(id);
    return path ? { degrees: path.length - 1, path } : { degrees: null, path: [] };
  });
}
