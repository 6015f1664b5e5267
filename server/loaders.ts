import DataLoader from 'dataloader';
import { productsByIds } from '../graph/commerce';
import { customersByIds } from '../graph/customers';
import { listPages, ListItems, ListName, referralCodesOf, referredByMany } from '../graph/lists';
import { Page } from '../graph/model';
import { Graph } from '../graph/neo4j';
import { emptyPage, PageRequest } from '../graph/pagination';
import { campaignsByIds } from '../graph/campaigns';

const byKey = <K, V>(load: (keys: readonly K[]) => Promise<Map<K, V>>, missing: V) =>
  new DataLoader<K, V>(async (keys) => {
    const found = await load(keys);
    return keys.map((key) => found.get(key) ?? missing);
  });

/** Per-request batchers: every field below a list resolves with one query per field, not per parent. */
export function createLoaders(graph: Graph) {
  const pageLoaders = new Map<string, DataLoader<string, Page<unknown>>>();
  return {
    customer: byKey((ids: readonly string[]) => customersByIds(graph, ids), null),
    campaign: byKey((ids: readonly string[]) => campaignsByIds(graph, ids), null),
    product: byKey((ids: readonly string[]) => productsByIds(graph, ids), null),
    referredBy: byKey((ids: readonly string[]) => referredByMany(graph, ids), null),
    referralCodes: byKey((ids: readonly string[]) => referralCodesOf(graph, ids), []),
    /** A page of `list` for `ownerId`; owners asking for the same page size and cursor share one query. */
    page<L extends ListName>(list: L, ownerId: string, request: PageRequest): Promise<Page<ListItems[L]>> {
      const loaderKey = `${list}:${request.limit}:${request.cursor ?? ''}`;
      let loader = pageLoaders.get(loaderKey);
      if (!loader) {
        const empty: Page<unknown> = emptyPage(request);
        loader = byKey((ids: readonly string[]) => listPages(graph, list, ids, request) as Promise<Map<string, Page<unknown>>>, empty);
        pageLoaders.set(loaderKey, loader);
      }
      return loader.load(ownerId) as Promise<Page<ListItems[L]>>;
    },
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
