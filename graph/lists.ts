import { PURCHASE_PROJECTION, REVIEW_PROJECTION } from './commerce';
import { CUSTOMER_PROJECTION } from './customers';
import { CustomerRecord, Page, PurchaseRecord, ReferralCodeRecord, ReferralRecord, ReviewRecord } from './model';
import { cypher, Cypher, Graph } from './neo4j';
import { PageRequest, toPage } from './pagination';
import { REFERRAL_PROJECTION } from './referrals';

/**
 * One page of a list for many owners in one query (the DataLoader batch behind a connection field):
 * no query per parent. Each list orders by a unique key last, so offsets are stable cursors.
 */
function pagedList(name: string, anchor: 'Customer' | 'Product', pattern: string, order: string, item: string): Cypher {
  return cypher(
    name,
    `UNWIND $ids AS id
     MATCH (owner:${anchor} {id: id})
     CALL (owner) {
       MATCH ${pattern}
       WITH * ORDER BY ${order} SKIP $skip LIMIT $limit
       RETURN collect(${item}) AS items
     }
     CALL (owner) {
       MATCH ${pattern}
       RETURN count(*) AS total
     }
     RETURN id, items, total`,
  );
}

export interface CustomerEdgeRecord {
  node: CustomerRecord;
  since: number | null;
  strength: number | null;
}

export const LISTS = {
  connections: pagedList('list.connections', 'Customer', '(owner)-[k:KNOWS]-(other:Customer)', 'k.strength DESC, other.id',
    `{node: other ${CUSTOMER_PROJECTION}, since: k.since, strength: k.strength}`),
  following: pagedList('list.following', 'Customer', '(owner)-[f:FOLLOWS]->(other:Customer)', 'f.at DESC, other.id',
    `{node: other ${CUSTOMER_PROJECTION}, since: f.at, strength: null}`),
  followers: pagedList('list.followers', 'Customer', '(owner)<-[f:FOLLOWS]-(other:Customer)', 'f.at DESC, other.id',
    `{node: other ${CUSTOMER_PROJECTION}, since: f.at, strength: null}`),
  referrals: pagedList('list.referrals', 'Customer', '(owner)-[r:REFERRED]->(invitee:Customer)', 'r.invitedAt DESC, invitee.id, r.campaign',
    REFERRAL_PROJECTION('r', 'owner', 'invitee')),
  customerReviews: pagedList('list.customerReviews', 'Customer', '(owner)-[rv:REVIEWED]->(product:Product)', 'rv.at DESC, product.id',
    REVIEW_PROJECTION('rv', 'owner', 'product')),
  purchases: pagedList('list.purchases', 'Customer', '(owner)-[p:PURCHASED]->(product:Product)', 'p.at DESC, p.orderId',
    PURCHASE_PROJECTION('p', 'owner', 'product')),
  productReviews: pagedList('list.productReviews', 'Product', '(customer:Customer)-[rv:REVIEWED]->(owner)', 'rv.at DESC, customer.id',
    REVIEW_PROJECTION('rv', 'customer', 'owner')),
} as const;

export type ListName = keyof typeof LISTS;

export interface ListItems {
  connections: CustomerEdgeRecord;
  following: CustomerEdgeRecord;
  followers: CustomerEdgeRecord;
  referrals: ReferralRecord;
  customerReviews: ReviewRecord;
  purchases: PurchaseRecord;
  productReviews: ReviewRecord;
}

export async function listPages<L extends ListName>(
  graph: Graph,
  list: L,
  ownerIds: readonly string[],
  request: PageRequest,
): Promise<Map<string, Page<ListItems[L]>>> {
  const rows = await graph.read(LISTS[list], { ids: [...new Set(ownerIds)], skip: request.skip, limit: request.limit });
  return new Map(rows.map((row) => [row.id as string, toPage(row.items as ListItems[L][], request, row.total as number)]));
}

const REFERRED_BY = cypher(
  'customer.referredBy',
  `UNWIND $ids AS id
   MATCH (referrer:Customer)-[r:REFERRED]->(c:Customer {id: id})
   WHERE r.signedUpAt IS NOT NULL
   RETURN id, r ${REFERRAL_PROJECTION('r', 'referrer', 'c')} AS referral`,
);

export async function referredByMany(graph: Graph, ids: readonly string[]): Promise<Map<string, ReferralRecord>> {
  const rows = await graph.read(REFERRED_BY, { ids: [...new Set(ids)] });
  return new Map(rows.map((row) => [row.id as string, row.referral as ReferralRecord]));
}

const CODES_OF = cypher(
  'customer.referralCodes',
  `UNWIND $ids AS id
   MATCH (c:Customer {id: id})-[:OWNS]->(code:ReferralCode)-[:FOR]->(campaign:Campaign)
   WITH id, code, campaign ORDER BY campaign.id
   RETURN id, collect({code: code.code, ownerId: id, campaignId: campaign.id}) AS codes`,
);

export async function referralCodesOf(graph: Graph, ids: readonly string[]): Promise<Map<string, ReferralCodeRecord[]>> {
  const rows = await graph.read(CODES_OF, { ids: [...new Set(ids)] });
  return new Map(rows.map((row) => [row.id as string, row.codes as ReferralCodeRecord[]]));
}
