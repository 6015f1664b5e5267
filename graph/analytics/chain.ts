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
  /** From the customer's referrer up to the root, nearest first. */
  upward: string[];
  rootId: string;
  downward: ChainNodeRecord[];
  truncated: boolean;
  nodeLimit: number;
}

// Up the credited referrals to the root advocate: one parent per customer, so one path.
const CHAIN_UP = cypher(
  'analytics.chainUp',
  `MATCH (c:Customer {id: $id})
   MATCH p = (c) (()<-[r:REFERRED WHERE r.signedUpAt IS NOT NULL]-()){0,1000} (root:Customer)
   WHERE NOT EXISTS { (root)<-[x:REFERRED]-() WHERE x.signedUpAt IS NOT NULL }
   RETURN [n IN nodes(p)[1..] | n.id] AS upward, root.id AS rootId`,
);

// Down the tree breadth first, one row beyond the node limit and one level beyond maxDepth, to know when it was cut.
const CHAIN_DOWN = cypher(
  'analytics.chainDown',
  `MATCH (c:Customer {id: $id})
   MATCH (c) (()-[r:REFERRED WHERE r.signedUpAt IS NOT NULL]->()){1,${MAX_CHAIN_DEPTH + 1}} (d:Customer)
   WITH d, size(r) AS depth, last(r) AS credit, startNode(last(r)).id AS referrerId
   WHERE depth <= $maxDepth + 1
   RETURN d.id AS customerId, depth, referrerId, credit.status AS status
   ORDER BY depth, referrerId, customerId
   LIMIT $nodeLimit + 1`,
);

export async function referralChain(graph: Graph, customerId: string, maxDepth: number): Promise<ReferralChainRecord> {
  checkId('customerId', customerId);
  const depth = hopBound('maxDepth', maxDepth, MAX_CHAIN_DEPTH);
  await requireCustomersIn(graph, { customerId });
  return graph.readTransaction(async (tx) => {
    const [up] = await tx.run(CHAIN_UP, { id: customerId });
    const rows = await tx.run(CHAIN_DOWN, { id: customerId, maxDepth: depth, nodeLimit: CHAIN_NODE_LIMIT });
    const within = rows.filter((row) => (row.depth as number) <= depth);
    const truncated = within.length < rows.length || within.length > CHAIN_NODE_LIMIT;
    return {
      customerId,
      upward: up.upward as string[],
      rootId: up.rootId as string,
      downward: within.slice(0, CHAIN_NODE_LIMIT).map((row) => ({
        customerId: row.customerId as string,
        depth: row.depth as number,
        referrerId: row.referrerId as string,
        status: row.status as ReferralStatus,
      })),
      truncated,
      nodeLimit: CHAIN_NODE_LIMIT,
    };
  });
}
