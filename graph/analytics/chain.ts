import type { ReferralStatus } from '../../schema/generated/types';
import { cypher, Graph } from '../neo4j';
import { checkId } from '../validate';
import { hopBound } from './kinds';
import { requireCustomersIn } from '../customers';

export const MAX_CHAIN_DEPTH = 10;
export const CHAIN_NODE_LIMIT = 1000;

export interface ChainNodeRecord {
  customerId: string;
  depth: number;
  referrerId: string | null;
  status: ReferralStatus | null;
}

export interface ReferralChainRecord {
  customerId: string;
  /** From the customer's referrer up to the root, nearest first; on a cycle, up to the last customer before it repeats. */
  upward: string[];
  rootId: string;
  downward: ChainNodeRecord[];
  truncated: boolean;
  nodeLimit: number;
  /** The walk up met a customer twice: stored data holds a cycle of credited referrals (written before the rule was enforced). */
  cycleDetected: boolean;
}

// Up the credited referrals: one parent per customer, so one path, returned whole (the customer first).
// Sign-ups refuse a cycle, but data stored before that rule held under concurrency may hold one: then no
// customer above is a root, and the longest trail (no relationship twice) goes once round the cycle and
// ends on a customer already on it. The walk below stops there and says so, rather than failing.
const CHAIN_UP = cypher<{ path: string[] }>(
  'analytics.chainUp',
  `MATCH (c:Customer {id: $id})
   OPTIONAL MATCH p = (c) (()<-[r:REFERRED WHERE r.signedUpAt IS NOT NULL]-()){1,1000} (:Customer)
   WITH c, p ORDER BY length(p) DESC LIMIT 1
   RETURN CASE WHEN p IS NULL THEN [c.id] ELSE [n IN nodes(p) | n.id] END AS path`,
);

// Down the tree breadth first, one row beyond the node limit and one level beyond maxDepth, to know when it was cut.
const CHAIN_DOWN = cypher<{ customerId: string; depth: number; referrerId: string; status: ReferralStatus }>(
  'analytics.chainDown',
  `MATCH (c:Customer {id: $id})
   MATCH (c) (()-[r:REFERRED WHERE r.signedUpAt IS NOT NULL]->()){1,${MAX_CHAIN_DEPTH + 1}} (d:Customer)
   WITH d, size(r) AS depth, last(r) AS credit, startNode(last(r)).id AS referrerId
   WHERE depth <= $maxDepth + 1
   RETURN d.id AS customerId, depth, referrerId, credit.status AS status
   ORDER BY depth, referrerId, customerId
   LIMIT $nodeLimit + 1`,
);

/** Walks `path` (the customer first) until a customer repeats: the chain above, its root, and whether it looped. */
export function walkUp(path: readonly string[]): { upward: string[]; rootId: string; cycleDetected: boolean } {
  const seen = new Set<string>([path[0]]);
  const upward: string[] = [];
  for (const id of path.slice(1)) {
    if (seen.has(id)) return { upward, rootId: upward.at(-1) ?? path[0], cycleDetected: true };
    seen.add(id);
    upward.push(id);
  }
  return { upward, rootId: upward.at(-1) ?? path[0], cycleDetected: false };
}

/** Each customer once, at its shallowest depth, and never the customer asked about (a cycle leads back to it). */
function firstVisits<T extends { customerId: string }>(customerId: string, rows: readonly T[]): T[] {
  const seen = new Set<string>([customerId]);
  return rows.filter((row) => {
    if (seen.has(row.customerId)) return false;
    seen.add(row.customerId);
    return true;
  });
}

export async function referralChain(graph: Graph, customerId: string, maxDepth: number): Promise<ReferralChainRecord> {
  checkId('customerId', customerId);
  const depth = hopBound('maxDepth', maxDepth, MAX_CHAIN_DEPTH);
  await requireCustomersIn(graph, { customerId });
  return graph.readTransaction(async (tx) => {
    const [up] = await tx.run(CHAIN_UP, { id: customerId });
    const rows = firstVisits(customerId, await tx.run(CHAIN_DOWN, { id: customerId, maxDepth: depth, nodeLimit: CHAIN_NODE_LIMIT }));
    const within = rows.filter((row) => row.depth <= depth);
    const truncated = within.length < rows.length || within.length > CHAIN_NODE_LIMIT;
    return {
      customerId,
      ...walkUp(up.path),
      downward: within.slice(0, CHAIN_NODE_LIMIT),
      truncated,
      nodeLimit: CHAIN_NODE_LIMIT,
    };
  });
}
