import { PURCHASE_PROJECTION, REVIEW_PROJECTION } from './commerce';
import { CUSTOMER_PROJECTION } from './customers';
import { CustomerRecord, Page, PurchaseRecord, ReferralCodeRecord, ReferralRecord, ReviewRecord } from './model';
import { cypher, Cypher, Graph } from './neo4j';
import { afterCursor, CursorValue, orderBy, pageRequest, PageRequest, SortKey, toPage } from './pagination';
import { REFERRAL_PROJECTION } from './referrals';

export interface CustomerEdgeRecord {
  node: CustomerRecord;
  since: number | null;
  strength: number | null;
}

export interface ListItems {
  connections: CustomerEdgeRecord;
  following: CustomerEdgeRecord;
  followers: CustomerEdgeRecord;
  referrals: ReferralRecord;
  customerReviews: ReviewRecord;
  purchases: PurchaseRecord;
  productReviews: ReviewRecord;
}

export type ListName = keyof ListItems;

/** The rows of one owner: one item more than the page (to tell whether more follow), each with its sort key values. */
interface PagedRow<T> {
  id: string;
  items: Array<{ item: T; key: CursorValue[] }>;
  total: number;
}

interface ListSpec<T> {
  keys: readonly SortKey[];
  query: Cypher<PagedRow<T>>;
}

const desc = (expression: string, type: SortKey['type']): SortKey => ({ expression, direction: 'DESC', type });
const asc = (expression: string, type: SortKey['type']): SortKey => ({ expression, direction: 'ASC', type });

/**
 * One page of a list for many owners in one query (the DataLoader batch behind a connection field):
 * no query per parent. The page starts strictly after the cursor's sort key values (keyset pagination),
 * so it is stable while the list changes; the last sort key is unique within an owner's list.
 */
function pagedList<T>(name: string, anchor: 'Customer' | 'Product', pattern: string, keys: readonly SortKey[], item: string): ListSpec<T> {
  const query = cypher<PagedRow<T>>(
    name,
    `UNWIND $ids AS id
     MATCH (owner:${anchor} {id: id})
     CALL (owner) {
       MATCH ${pattern}
       WHERE ${afterCursor(keys)}
       WITH * ORDER BY ${orderBy(keys)} LIMIT $limitAndOne
       RETURN collect({item: ${item}, key: [${keys.map((key) => key.expression).join(', ')}]}) AS items
     }
     CALL (owner) {
       MATCH ${pattern}
       RETURN count(*) AS total
     }
     RETURN id, items, total`,
  );
  return { keys, query };
}

// Timestamps missing on old data sort as 0 (last in a latest-first list), so no sort key is ever null.
const LISTS: { [L in ListName]: ListSpec<ListItems[L]> } = {
  connections: pagedList('list.connections', 'Customer', '(owner)-[k:KNOWS]-(other:Customer)',
    [desc('coalesce(k.strength, 0.0)', 'number'), asc('other.id', 'string')],
    `{node: other ${CUSTOMER_PROJECTION}, since: k.since, strength: k.strength}`),
  following: pagedList('list.following', 'Customer', '(owner)-[f:FOLLOWS]->(other:Customer)',
    [desc('coalesce(f.at, 0)', 'number'), asc('other.id', 'string')],
    `{node: other ${CUSTOMER_PROJECTION}, since: f.at, strength: null}`),
  followers: pagedList('list.followers', 'Customer', '(owner)<-[f:FOLLOWS]-(other:Customer)',
    [desc('coalesce(f.at, 0)', 'number'), asc('other.id', 'string')],
    `{node: other ${CUSTOMER_PROJECTION}, since: f.at, strength: null}`),
  referrals: pagedList('list.referrals', 'Customer', '(owner)-[r:REFERRED]->(invitee:Customer)',
    [desc('coalesce(r.invitedAt, 0)', 'number'), asc('invitee.id', 'string'), asc('r.campaign', 'string')],
    REFERRAL_PROJECTION('r', 'owner', 'invitee')),
  customerReviews: pagedList('list.customerReviews', 'Customer', '(owner)-[rv:REVIEWED]->(product:Product)',
    [desc('coalesce(rv.at, 0)', 'number'), asc('product.id', 'string')],
    REVIEW_PROJECTION('rv', 'owner', 'product')),
  purchases: pagedList('list.purchases', 'Customer', '(owner)-[p:PURCHASED]->(product:Product)',
    [desc('coalesce(p.at, 0)', 'number'), asc('p.orderId', 'string')],
    PURCHASE_PROJECTION('p', 'owner', 'product')),
  productReviews: pagedList('list.productReviews', 'Product', '(customer:Customer)-[rv:REVIEWED]->(owner)',
    [desc('coalesce(rv.at, 0)', 'number'), asc('customer.id', 'string')],
    REVIEW_PROJECTION('rv', 'customer', 'owner')),
};

/** Validates `first` and `after` for `list`: a cursor of another list or a forged one is BAD_USER_INPUT (`after`). */
export const listPageRequest = (list: ListName, first: number | null | undefined, after: string | null | undefined) =>
  pageRequest(list, LISTS[list].keys, first, after);

export async function listPages<L extends ListName>(
  graph: Graph,
  list: L,
  ownerIds: readonly string[],
  request: PageRequest,
): Promise<Map<string, Page<ListItems[L]>>> {
  const spec: ListSpec<ListItems[L]> = LISTS[list];
  const rows = await graph.read(spec.query, { ids: [...new Set(ownerIds)], after: request.after, limitAndOne: request.limit + 1 });
  return new Map(rows.map((row) => [row.id, toPage(list, row.items, request, row.total)]));
}

const REFERRED_BY = cypher<{ id: string; referral: ReferralRecord }>(
  'customer.referredBy',
  `UNWIND $ids AS id
   MATCH (referrer:Customer)-[r:REFERRED]->(c:Customer {id: id})
   WHERE r.signedUpAt IS NOT NULL
   RETURN id, r ${REFERRAL_PROJECTION('r', 'referrer', 'c')} AS referral`,
);

export async function referredByMany(graph: Graph, ids: readonly string[]): Promise<Map<string, ReferralRecord>> {
  const rows = await graph.read(REFERRED_BY, { ids: [...new Set(ids)] });
  return new Map(rows.map((row) => [row.id, row.referral]));
}

const CODES_OF = cypher<{ id: string; codes: ReferralCodeRecord[] }>(
  'customer.referralCodes',
  `UNWIND $ids AS id
   MATCH (c:Customer {id: id})-[:OWNS]->(code:ReferralCode)-[:FOR]->(campaign:Campaign)
   WITH id, code, campaign ORDER BY campaign.id
   RETURN id, collect({code: code.code, ownerId: id, campaignId: campaign.id}) AS codes`,
);

export async function referralCodesOf(graph: Graph, ids: readonly string[]): Promise<Map<string, ReferralCodeRecord[]>> {
  const rows = await graph.read(CODES_OF, { ids: [...new Set(ids)] });
  return new Map(rows.map((row) => [row.id, row.codes]));
}
