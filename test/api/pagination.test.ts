import { CONNECT, FOLLOW, UPSERT, failure, iso, key, ok } from '../support/builders';
import { startTestApi, TestApi, uniquePrefix } from '../support/services';

// Keyset cursors: a page starts strictly after its cursor's position in the list's order, so a list that
// changes between pages never makes an item that existed throughout be skipped or shown twice, and
// items inserted before the position are not seen.

interface ListKind {
  /** The connection field, under `customer(id)` or `product(id)`. */
  owner: 'customer' | 'product';
  field: string;
  /** Selection of one edge's node that names the item. */
  node: string;
  idOf(node: Record<string, any>): string; // eslint-disable-line @typescript-eslint/no-explicit-any -- node shapes differ per list
  /** Adds item `name` whose sort position is `rank` (a higher rank comes first in the list). */
  add(api: TestApi, ownerId: string, name: string, rank: number): Promise<void>;
}

const INVITE = `
  mutation($input: RecordInviteInput!) {
    recordInvite(input: $input) { status }
  }
`;
const PURCHASE = `
  mutation($input: RecordPurchaseInput!) {
    recordPurchase(input: $input) { orderId }
  }
`;
const REVIEW = `
  mutation($input: RecordReviewInput!) {
    recordReview(input: $input) { rating }
  }
`;
const CAMPAIGN = `
  mutation($input: CreateCampaignInput!) {
    createCampaign(input: $input) { id }
  }
`;

const customer = async (api: TestApi, id: string) => void (await ok(api, UPSERT, { input: { id } }));

const LIST_KINDS: Record<string, ListKind> = {
  connections: {
    owner: 'customer', field: 'connections', node: 'node { id }', idOf: (node) => node.id,
    async add(api, ownerId, name, rank) {
      await customer(api, name);
      await ok(api, CONNECT, { input: { customerId: ownerId, otherId: name, strength: rank / 100, idempotencyKey: key('page') } });
    },
  },
  following: {
    owner: 'customer', field: 'following', node: 'node { id }', idOf: (node) => node.id,
    async add(api, ownerId, name, rank) {
      await customer(api, name);
      await ok(api, FOLLOW, { input: { followerId: ownerId, followedId: name, at: iso(rank), idempotencyKey: key('page') } });
    },
  },
  followers: {
    owner: 'customer', field: 'followers', node: 'node { id }', idOf: (node) => node.id,
    async add(api, ownerId, name, rank) {
      await customer(api, name);
      await ok(api, FOLLOW, { input: { followerId: name, followedId: ownerId, at: iso(rank), idempotencyKey: key('page') } });
    },
  },
  referrals: {
    owner: 'customer', field: 'referrals', node: 'node { invitee { id } }', idOf: (node) => node.invitee.id,
    async add(api, ownerId, name, rank) {
      await ok(api, INVITE, {
        input: { referrerId: ownerId, campaignId: `${ownerId}-camp`, invitee: { id: name }, channel: 'email', at: iso(rank), idempotencyKey: key('page') },
      });
    },
  },
  customerReviews: {
    owner: 'customer', field: 'reviews', node: 'node { product { id } }', idOf: (node) => node.product.id,
    async add(api, ownerId, name, rank) {
      await ok(api, REVIEW, { input: { customerId: ownerId, productId: name, rating: 4, at: iso(rank), idempotencyKey: key('page') } });
    },
  },
  purchases: {
    owner: 'customer', field: 'purchases', node: 'node { orderId }', idOf: (node) => node.orderId,
    async add(api, ownerId, name, rank) {
      await ok(api, PURCHASE, {
        input: { customerId: ownerId, productId: `${ownerId}-product`, orderId: name, amount: 10, currency: 'EUR', at: iso(rank), idempotencyKey: key('page') },
      });
    },
  },
  productReviews: {
    owner: 'product', field: 'reviews', node: 'node { customer { id } }', idOf: (node) => node.customer.id,
    async add(api, ownerId, name, rank) {
      await customer(api, name);
      await ok(api, REVIEW, { input: { customerId: name, productId: ownerId, rating: 3, at: iso(rank), idempotencyKey: key('page') } });
    },
  },
};

// Ties on the first sort key (10, 10 and 6, 6) check the tie-breakers.
const INITIAL_RANKS = [10, 10, 8, 6, 6, 4];

describe('keyset pagination stays stable while a list changes', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });

  afterAll(async () => {
    await api.close();
  });

  /** Creates the owner of a list: a customer (with a campaign for invites) or a product (through a purchase). */
  async function givenOwner(kind: ListKind, prefix: string): Promise<string> {
    const ownerId = `${prefix}-owner`;
    if (kind.owner === 'customer') {
      await customer(api, ownerId);
      await ok(api, CAMPAIGN, {
        input: { id: `${ownerId}-camp`, name: 'Paging', startsAt: iso(1, 0), endsAt: '2099-01-01T00:00:00.000Z', attributionModel: 'LAST_TOUCH', attributionWindowDays: 7 },
      });
      return ownerId;
    }
    await customer(api, `${prefix}-buyer`);
    await ok(api, PURCHASE, {
      input: { customerId: `${prefix}-buyer`, productId: ownerId, orderId: `${prefix}-first-order`, amount: 1, currency: 'EUR', at: iso(1), idempotencyKey: key('page') },
    });
    return ownerId;
  }

  async function page(kind: ListKind, ownerId: string, after: string | null) {
    const query = `
      query($id: ID!, $after: String) {
        ${kind.owner}(id: $id) {
          ${kind.field}(first: 2, after: $after) {
            totalCount
            pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
            edges { cursor ${kind.node} }
          }
        }
      }
    `;
    return (await ok(api, query, { id: ownerId, after }))[kind.owner][kind.field];
  }

  it.each(Object.keys(LIST_KINDS))('pages through %s without skipping or repeating items while items are inserted between pages', async (list) => {
    const kind = LIST_KINDS[list];
    const prefix = uniquePrefix(`page-${list}`);
    const ownerId = await givenOwner(kind, prefix);
    const initial = INITIAL_RANKS.map((_rank, index) => `${prefix}-item${index}`);
    for (const [index, name] of initial.entries()) await kind.add(api, ownerId, name, INITIAL_RANKS[index]);

    const seen: string[] = [];
    const insertedAhead: string[] = [];
    let after: string | null = null;
    for (let pageNumber = 0; ; pageNumber++) {
      const current = await page(kind, ownerId, after);
      expect(current.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(current.pageInfo.startCursor).toBe(current.edges[0]?.cursor ?? null);
      seen.push(...current.edges.map((edge: { node: Record<string, unknown> }) => kind.idOf(edge.node)));
      if (!current.pageInfo.hasNextPage) break;
      after = current.pageInfo.endCursor;
      // Between pages: one item that sorts before every item so far (before the cursor), one that sorts last.
      const ahead = `${prefix}-ahead${pageNumber}`;
      await kind.add(api, ownerId, ahead, 20 + pageNumber);
      insertedAhead.push(ahead);
      await kind.add(api, ownerId, `${prefix}-behind${pageNumber}`, 2);
    }

    expect(new Set(seen).size).toBe(seen.length);
    for (const item of initial) expect(seen).toContain(item);
    for (const item of insertedAhead) expect(seen).not.toContain(item);
    // The items that existed throughout come in the list's order (higher rank first, ties by id).
    expect(seen.filter((item) => initial.includes(item))).toEqual(initial);
  });

  it('refuses a cursor of another list, or a forged one, naming `after`', async () => {
    const prefix = uniquePrefix('page-cursor');
    const kind = LIST_KINDS.connections;
    const ownerId = await givenOwner(kind, prefix);
    for (const [index, rank] of INITIAL_RANKS.entries()) await kind.add(api, ownerId, `${prefix}-item${index}`, rank);
    const first = await page(kind, ownerId, null);
    const query = `
      query($id: ID!, $after: String) {
        customer(id: $id) {
          following(first: 2, after: $after) { totalCount }
        }
      }
    `;
    expect(failure(await api.gql('service', query, { id: ownerId, after: first.pageInfo.endCursor }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const forged = Buffer.from(JSON.stringify({ l: 'connections', k: ['not a number', 'x'] })).toString('base64url');
    expect(failure(await api.gql('service', query.replace('following', 'connections'), { id: ownerId, after: forged }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
