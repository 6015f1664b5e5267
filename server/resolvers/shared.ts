import { ListItems, ListName, listPageRequest } from '../../graph/lists';
import type { RequestContext } from '../context';
import { fraudRingsQuestion } from '../wholeGraphSnapshots';

// Helpers every resolver file shares.

/** A record a batch loader found a moment ago and must still find; its absence is a bug, not a client error. */
export const required = <T>(value: T | null, what: string): T => {
  if (value === null) throw new Error(`${what} vanished while the request ran`);
  return value;
};

/** The customer with `id`, through the request's batch loader. */
export const loadCustomer = async (ctx: RequestContext, id: string) => required(await ctx.loaders.customer.load(id), 'customer');

export const loadCustomers = (ctx: RequestContext, ids: readonly string[]) => Promise.all(ids.map((id) => loadCustomer(ctx, id)));

export const loadProduct = async (ctx: RequestContext, id: string) => required(await ctx.loaders.product.load(id), 'product');

/**
 * A connection field: one batched query for all parents asking for the same page. Items become
 * edges as they are, or through `toEdge` where the edge carries more than its node.
 */
export async function listConnection<L extends ListName, E extends object = { node: ListItems[L] }>(
  ctx: RequestContext,
  list: L,
  ownerId: string,
  args: { first?: number | null; after?: string | null },
  toEdge: (item: ListItems[L]) => E = (item) => ({ node: item }) as unknown as E,
) {
  const page = await ctx.loaders.page(list, ownerId, listPageRequest(list, args.first, args.after));
  const edges = page.items.map((item, index) => ({ cursor: page.cursors[index], ...toEdge(item) }));
  return connection(edges, page);
}

/** A Relay connection of these edges, from a keyset page's facts. */
export function connection<E extends { cursor: string }>(edges: E[], page: { hasNextPage: boolean; hasPreviousPage: boolean; totalCount: number }) {
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      // Keyset pages know only that they start after a cursor, not how much lies before it.
      hasPreviousPage: page.hasPreviousPage,
      startCursor: edges.length > 0 ? edges[0].cursor : null,
      endCursor: edges.length > 0 ? edges[edges.length - 1].cursor : null,
    },
    totalCount: page.totalCount,
  };
}

/** The members of the rings in the latest stored snapshot; none before one exists (a review field never computes it). */
export async function fraudRingMembers(ctx: RequestContext): Promise<string[]> {
  const rings = await ctx.snapshots.peek(fraudRingsQuestion());
  return (rings?.value ?? []).flatMap((ring) => ring.memberIds);
}
