import { CONNECT, failure, iso, key, ok, PURCHASE, REVIEW, UPSERT } from '../../support/builders';
import { startTestApi, TestApi, uniquePrefix } from '../../support/services';

const REVIEWS_FOR = `
  query($product: ID!, $reader: ID!, $first: Int, $after: String) {
    product(id: $product) {
      reviewsFor(readerId: $reader, first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage endCursor }
        edges { cursor distance via { id } node { rating customer { id } } }
      }
    }
  }
`;
const RATING_FOR = `
  query($product: ID!, $reader: ID!) {
    product(id: $product) {
      averageRating
      ratingFor(readerId: $reader) {
        plainAverage trustWeightedAverage reviewCount connectionsWhoBought connectionsWhoReviewed connectionsWhoBoughtAndReviewed
      }
    }
  }
`;

// reader knows f1 (strong tie) and f2 (weak); g1 is known by both f1 and f2, g2 by f2 only; h knows g2; o knows nobody.
const NAMES = ['reader', 'f1', 'f2', 'g1', 'g2', 'h', 'o', 'o2'];
const TIES: Array<[string, string, number]> = [
  ['reader', 'f1', 0.9], ['reader', 'f2', 0.3], ['f1', 'g1', 0.5], ['f2', 'g1', 0.5], ['f2', 'g2', 0.5], ['g2', 'h', 0.5],
];
// author, rating, day written, times written
const REVIEWS: Array<[string, number, number, number]> = [
  ['o', 1, 9, 1], ['h', 2, 8, 1], ['g2', 5, 3, 1], ['g1', 4, 7, 1], ['f2', 3, 2, 5], ['f1', 5, 4, 1], ['reader', 4, 1, 1], ['o2', 1, 9, 1],
];
const BUYERS = ['f1', 'f2', 'g1'];

describe('reviewsFor and ratingFor weigh a product’s reviews by who wrote them', () => {
  let api: TestApi;
  const p = uniquePrefix('trust');
  const id = (name: string) => `${p}-${name}`;
  const product = `${p}-prod`;

  beforeAll(async () => {
    api = await startTestApi();
    for (const name of NAMES) await ok(api, UPSERT, { input: { id: id(name), name } });
    for (const [a, b, strength] of TIES) await ok(api, CONNECT, { input: { customerId: id(a), otherId: id(b), strength, idempotencyKey: key('k') } });
    for (const name of BUYERS) {
      await ok(api, PURCHASE, { input: { customerId: id(name), productId: product, orderId: `${p}-o-${name}`, amount: 5, currency: 'EUR', at: iso(1), idempotencyKey: key('p') } });
    }
    for (const [author, rating, day, times] of REVIEWS) {
      for (let time = 0; time < times; time++) {
        await ok(api, REVIEW, { input: { customerId: id(author), productId: product, rating, at: iso(day), idempotencyKey: key('r') } });
      }
    }
  });
  afterAll(() => api.close());

  /** Breadth-first search over the ties above, from the reader. */
  function distances(): Map<string, number> {
    const seen = new Map([['reader', 0]]);
    let frontier = ['reader'];
    while (frontier.length > 0) {
      const next: string[] = [];
      for (const at of frontier) {
        for (const [a, b] of TIES) {
          const other = a === at ? b : b === at ? a : null;
          if (other !== null && !seen.has(other)) {
            seen.set(other, seen.get(at)! + 1);
            next.push(other);
          }
        }
      }
      frontier = next;
    }
    return seen;
  }

  function expectedOrder() {
    const hops = distances();
    const band = (author: string) => Math.min(hops.get(author) ?? 3, 3);
    const firstStep = (author: string) => {
      if (band(author) === 1) return author;
      if (band(author) !== 2) return null;
      const steps = TIES.filter(([a]) => a === 'reader').filter(([, f]) => TIES.some(([x, y]) => (x === f && y === author) || (y === f && x === author)));
      return steps.sort((s, t) => t[2] - s[2] || (s[1] < t[1] ? -1 : 1))[0][1];
    };
    return [...REVIEWS]
      .sort((a, b) => band(a[0]) - band(b[0]) || b[2] - a[2] || (id(a[0]) < id(b[0]) ? -1 : 1))
      .map(([author, rating]) => ({
        distance: band(author) === 3 ? null : band(author),
        via: firstStep(author) === null ? null : { id: id(firstStep(author)!) },
        node: { rating, customer: { id: id(author) } },
      }));
  }

  test('reviews come in order of the author’s BFS distance from the reader, latest first within a distance, with the first step named', async () => {
    const data = await ok(api, REVIEWS_FOR, { product, reader: id('reader'), first: 20 }, 'admin');
    const connection = data.product.reviewsFor;
    expect(connection.totalCount).toBe(REVIEWS.length);
    expect(connection.edges.map(({ distance, via, node }: Record<string, unknown>) => ({ distance, via, node }))).toEqual(expectedOrder());
    // g1 is reached through both f1 and f2: the first step is f1, the stronger tie.
    expect(connection.edges.find((edge: { node: { customer: { id: string } } }) => edge.node.customer.id === id('g1')).via).toEqual({ id: id('f1') });
  });

  test('pages of two, followed by their cursors, give the same order without gaps or repeats', async () => {
    const seen: unknown[] = [];
    let after: string | null = null;
    for (;;) {
      const data = await ok(api, REVIEWS_FOR, { product, reader: id('reader'), first: 2, after }, 'admin');
      const page = data.product.reviewsFor;
      seen.push(...page.edges.map(({ distance, via, node }: Record<string, unknown>) => ({ distance, via, node })));
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(expectedOrder());
  });

  test('ratingFor gives the plain average, the trust-weighted average by distance and revisions, and the connections who bought and reviewed', async () => {
    const data = await ok(api, RATING_FOR, { product, reader: id('reader') }, 'admin');
    const hops = distances();
    const weight = (author: string, times: number) => {
      const hop = hops.get(author);
      const trust = hop !== undefined && hop <= 1 ? 4 : hop === 2 ? 2 : 1;
      return trust * Math.min(1, 3 / times);
    };
    const plain = REVIEWS.reduce((sum, [, rating]) => sum + rating, 0) / REVIEWS.length;
    const weights = REVIEWS.map(([author, , , times]) => weight(author, times));
    const weighted = REVIEWS.reduce((sum, [, rating], index) => sum + weights[index] * rating, 0) / weights.reduce((a, b) => a + b, 0);
    const rating = data.product.ratingFor;
    expect(rating.plainAverage).toBeCloseTo(plain, 10);
    expect(rating.plainAverage).toBeCloseTo(data.product.averageRating, 10);
    expect(rating.trustWeightedAverage).toBeCloseTo(weighted, 10);
    // The reader's connections are f1 and f2: both bought and both reviewed.
    expect(rating).toMatchObject({ reviewCount: REVIEWS.length, connectionsWhoBought: 2, connectionsWhoReviewed: 2, connectionsWhoBoughtAndReviewed: 2 });
  });

  test('for a reader with no connections every review weighs the same, and the order is latest first', async () => {
    const data = await ok(api, RATING_FOR, { product, reader: id('o2') }, 'admin');
    const { ratingFor } = data.product;
    const weights = REVIEWS.map(([author, , , times]) => (author === 'o2' ? 4 : 1) * Math.min(1, 3 / times));
    const weighted = REVIEWS.reduce((sum, [, r], index) => sum + weights[index] * r, 0) / weights.reduce((a, b) => a + b, 0);
    expect(ratingFor.trustWeightedAverage).toBeCloseTo(weighted, 10);
    expect(ratingFor).toMatchObject({ connectionsWhoBought: 0, connectionsWhoReviewed: 0, connectionsWhoBoughtAndReviewed: 0 });
    const order = await ok(api, REVIEWS_FOR, { product, reader: id('o2') }, 'admin');
    expect(order.product.reviewsFor.edges[0]).toMatchObject({ distance: 0, via: null, node: { customer: { id: id('o2') } } });
    expect(order.product.reviewsFor.edges.slice(1).every((edge: { distance: number | null }) => edge.distance === null)).toBe(true);
  });

  test('an unknown or malformed reader, a bad page size or a foreign cursor is an error naming the argument; the service role may not ask', async () => {
    const ask = (variables: Record<string, unknown>, role: 'admin' | 'service' | 'marketer' = 'admin') => api.gql(role, REVIEWS_FOR, { product, ...variables });
    expect(failure(await ask({ reader: id('nobody') }))).toMatchObject({ code: 'NOT_FOUND', field: 'readerId' });
    expect(failure(await ask({ reader: 'bad id!' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'readerId' });
    expect(failure(await ask({ reader: id('reader'), first: 0 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(failure(await ask({ reader: id('reader'), after: 'bm90LWEtY3Vyc29y' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect(failure(await api.gql('admin', RATING_FOR, { product, reader: id('nobody') }))).toMatchObject({ code: 'NOT_FOUND', field: 'readerId' });
    expect(failure(await ask({ reader: id('reader') }, 'service')).code).toBe('FORBIDDEN');
    expect((await ask({ reader: id('reader') }, 'marketer')).errors).toBeUndefined();
  });
});

describe('ratingFor counts suspicious reviews less', () => {
  test('two reviewers sharing a device keep a quarter of their weight each; an unrelated reviewer keeps all of it', async () => {
    const api = await startTestApi();
    try {
      const p = uniquePrefix('suspicious');
      const product = `${p}-prod`;
      const device = [{ kind: 'DEVICE', value: `device-${p}` }];
      await ok(api, UPSERT, { input: { id: `${p}-reader` } });
      await ok(api, UPSERT, { input: { id: `${p}-sock1`, identifiers: device } });
      await ok(api, UPSERT, { input: { id: `${p}-sock2`, identifiers: device } });
      await ok(api, UPSERT, { input: { id: `${p}-honest` } });
      for (const [author, rating] of [['sock1', 5], ['sock2', 5], ['honest', 1]] as const) {
        await ok(api, REVIEW, { input: { customerId: `${p}-${author}`, productId: product, rating, at: iso(3), idempotencyKey: key('r') } });
      }
      const { product: answer } = await ok(api, RATING_FOR, { product, reader: `${p}-reader` }, 'admin');
      // Nobody is within two hops of the reader, so every base weight is 1; the socks' are 0.25.
      expect(answer.ratingFor.plainAverage).toBeCloseTo(11 / 3, 10);
      expect(answer.ratingFor.trustWeightedAverage).toBeCloseTo((0.25 * 5 + 0.25 * 5 + 1 * 1) / (0.25 + 0.25 + 1), 10);
    } finally {
      await api.close();
    }
  });
});
