import { cypher } from '../../graph/neo4j';
import { failure, givenCustomers, iso, key, ok, PURCHASE, REVIEW, SIGNUP, UPSERT } from '../support/builders';
import { startTestApi, TestApi, uniquePrefix } from '../support/services';

const CONNECT = `
  mutation($input: ConnectCustomersInput!) {
    connectCustomers(input: $input) {
      strength
      customer { id }
      other { id }
    }
  }
`;
const ISSUE_CODE = `
  mutation($input: IssueReferralCodeInput!) {
    issueReferralCode(input: $input) { code }
  }
`;

describe('customers, connections, purchases and reviews', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  test('upsertCustomer creates a STRANGER and updates fields it is given', async () => {
    const id = uniquePrefix('cust');
    const created = await ok(api, UPSERT, { input: { id, name: 'Ada', email: `${id}@example.com` } });
    expect(created.upsertCustomer).toEqual({ id, name: 'Ada', email: `${id}@example.com`, stage: 'STRANGER' });
    const updated = await ok(api, UPSERT, { input: { id, name: 'Ada L.' } });
    expect(updated.upsertCustomer).toMatchObject({ name: 'Ada L.', email: `${id}@example.com` });
  });

  test('upsertCustomer refuses a malformed id, a bad email and a taken email, naming the field', async () => {
    const id = uniquePrefix('cust');
    expect(failure(await api.gql('service', UPSERT, { input: { id: 'has space' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.id' });
    expect(failure(await api.gql('service', UPSERT, { input: { id, email: 'nope' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.email' });
    await ok(api, UPSERT, { input: { id, email: `${id}@example.com` } });
    const taken = await api.gql('service', UPSERT, { input: { id: `${id}-2`, email: `${id}@example.com` } });
    expect(failure(taken)).toMatchObject({ code: 'CONFLICT', field: 'input.email' });
    const [row] = await api.graph.read(cypher('test.count', 'MATCH (c:Customer) WHERE c.id = $id RETURN count(c) AS n'), { id: `${id}-2` });
    expect(row.n).toBe(0);
  });

  test('the funnel stage moves forward, and back only with resetStage', async () => {
    const id = uniquePrefix('stage');
    await ok(api, UPSERT, { input: { id, stage: 'BUYER' } });
    const back = await api.gql('service', UPSERT, { input: { id, stage: 'FAN' } });
    expect(failure(back)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.stage' });
    expect((await ok(api, UPSERT, { input: { id, stage: 'FAN', resetStage: true } })).upsertCustomer.stage).toBe('FAN');
  });

  test('connectCustomers keeps one KNOWS per pair, in either direction, and pages connections by Relay cursors', async () => {
    const id = await givenCustomers(api, uniquePrefix('conn'), ['a', 'b', 'c', 'd']);
    await ok(api, CONNECT, { input: { customerId: id('a'), otherId: id('b'), strength: 0.9, idempotencyKey: key('c1') } });
    await ok(api, CONNECT, { input: { customerId: id('b'), otherId: id('a'), strength: 0.8, idempotencyKey: key('c2') } });
    await ok(api, CONNECT, { input: { customerId: id('a'), otherId: id('c'), strength: 0.5, idempotencyKey: key('c3') } });
    await ok(api, CONNECT, { input: { customerId: id('d'), otherId: id('a'), strength: 0.1, idempotencyKey: key('c4') } });
    const PAGE = `
      query($id: ID!, $after: String) {
        customer(id: $id) {
          connections(first: 2, after: $after) {
            totalCount
            pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
            edges {
              cursor strength
              node { id }
            }
          }
        }
      }
    `;
    const first = (await ok(api, PAGE, { id: id('a') })).customer.connections;
    expect(first.totalCount).toBe(3);
    expect(first.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([id('b'), id('c')]);
    expect(first.edges[0].strength).toBe(0.8);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: first.edges[0].cursor, endCursor: first.edges[1].cursor });
    const second = (await ok(api, PAGE, { id: id('a'), after: first.pageInfo.endCursor })).customer.connections;
    expect(second.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([id('d')]);
    expect(second.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true, startCursor: second.edges[0].cursor });
    const past = (await ok(api, PAGE, { id: id('a'), after: second.pageInfo.endCursor })).customer.connections;
    expect(past).toMatchObject({ edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null } });
    expect(failure(await api.gql('service', PAGE, { id: id('a'), after: 'garbage' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  test('connectCustomers refuses a self-connection and unknown customers', async () => {
    const id = await givenCustomers(api, uniquePrefix('conn'), ['a']);
    const self = await api.gql('service', CONNECT, { input: { customerId: id('a'), otherId: id('a'), idempotencyKey: key('s') } });
    expect(failure(self)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.otherId' });
    const unknown = await api.gql('service', CONNECT, { input: { customerId: id('a'), otherId: id('ghost'), idempotencyKey: key('u') } });
    expect(failure(unknown)).toMatchObject({ code: 'NOT_FOUND', field: 'input.otherId' });
  });

  test('replaying an idempotency key returns the first result and changes nothing; reusing it for other input is a CONFLICT', async () => {
    const id = await givenCustomers(api, uniquePrefix('idem'), ['a', 'b']);
    const input = { customerId: id('a'), otherId: id('b'), strength: 0.3, idempotencyKey: key('idem') };
    const first = await ok(api, CONNECT, { input });
    await api.graph.write(cypher('test.touch', 'MATCH (:Customer {id: $a})-[k:KNOWS]-(:Customer {id: $b}) SET k.strength = 0.7'), { a: id('a'), b: id('b') });
    const replay = await ok(api, CONNECT, { input });
    expect(replay.connectCustomers.strength).toBe(first.connectCustomers.strength);
    const [row] = await api.graph.read(cypher('test.strength', 'MATCH (:Customer {id: $a})-[k:KNOWS]-(:Customer {id: $b}) RETURN k.strength AS s'), { a: id('a'), b: id('b') });
    expect(row.s).toBe(0.7);
    const reused = await api.gql('service', CONNECT, { input: { ...input, strength: 0.9 } });
    expect(failure(reused)).toMatchObject({ code: 'CONFLICT', field: 'input.idempotencyKey' });
  });

  test('disconnectCustomers removes the connection; follow makes the follower a FOLLOWER', async () => {
    const id = await givenCustomers(api, uniquePrefix('follow'), ['a', 'b']);
    await ok(api, CONNECT, { input: { customerId: id('a'), otherId: id('b'), idempotencyKey: key('d') } });
    const removed = await ok(api, `
      mutation($input: DisconnectCustomersInput!) {
        disconnectCustomers(input: $input) { removed }
      }
    `, { input: { customerId: id('b'), otherId: id('a') } });
    expect(removed.disconnectCustomers.removed).toBe(true);
    const followed = await ok(api, `
      mutation($input: FollowInput!) {
        follow(input: $input) {
          follower { id stage }
          followed {
            id
            followers { totalCount }
          }
        }
      }
    `, {
      input: { followerId: id('a'), followedId: id('b'), idempotencyKey: key('f') },
    });
    expect(followed.follow.follower.stage).toBe('FOLLOWER');
    expect(followed.follow.followed.followers.totalCount).toBe(1);
  });

  test('purchases move the buyer through BUYER and REPEAT_BUYER and convert the referral; an order is recorded once', async () => {
    const id = await givenCustomers(api, uniquePrefix('buy'), ['ref']);
    const signup = await ok(api, ISSUE_CODE, {
      input: { customerId: id('ref'), campaignId: id('camp'), idempotencyKey: key('code') },
    });
    await ok(api, SIGNUP, { input: { customerId: id('new'), code: signup.issueReferralCode.code, at: iso(3), idempotencyKey: key('su') } });
    const order = (n: number) => ({ customerId: id('new'), productId: `${id('p')}`, orderId: `${id('o')}-${n}`, amount: 19.99, currency: 'EUR', at: iso(4 + n), idempotencyKey: key('o') });
    const first = await ok(api, PURCHASE, { input: order(1) });
    expect(first.recordPurchase.customer.stage).toBe('BUYER');
    const referral = await ok(api, `
      query($id: ID!) {
        customer(id: $id) {
          referredBy { status firstPurchaseAt }
        }
      }
    `, { id: id('new') });
    expect(referral.customer.referredBy).toEqual({ status: 'CONVERTED', firstPurchaseAt: iso(5) });
    expect((await ok(api, PURCHASE, { input: order(2) })).recordPurchase.customer.stage).toBe('REPEAT_BUYER');
    const duplicate = await api.gql('service', PURCHASE, { input: { ...order(2), idempotencyKey: key('dup') } });
    expect(failure(duplicate)).toMatchObject({ code: 'CONFLICT', field: 'input.orderId' });
    expect(failure(await api.gql('service', PURCHASE, { input: { ...order(3), currency: 'euro' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.currency' });
    expect(failure(await api.gql('service', PURCHASE, { input: { ...order(4), customerId: id('ghost') } }))).toMatchObject({ code: 'NOT_FOUND', field: 'input.customerId' });
    const purchases = await ok(api, `
      query($id: ID!) {
        customer(id: $id) {
          purchases {
            totalCount
            edges {
              node { orderId }
            }
          }
        }
      }
    `, { id: id('new') });
    expect(purchases.customer.purchases.totalCount).toBe(2);
  });

  test('one review per customer and product: a second updates it and counts the revision; a promoter repeat buyer is LOYAL', async () => {
    const id = await givenCustomers(api, uniquePrefix('rev'), ['a', 'b']);
    for (const n of [1, 2]) {
      await ok(api, PURCHASE, { input: { customerId: id('a'), productId: id('p'), orderId: `${id('o')}-${n}`, amount: 10, currency: 'USD', idempotencyKey: key('p') } });
    }
    const review = { customerId: id('a'), productId: id('p'), rating: 3, text: 'ok', recommend: 6, idempotencyKey: key('r') };
    expect((await ok(api, REVIEW, { input: review })).recordReview).toMatchObject({ rating: 3, revisions: 1 });
    const second = await ok(api, REVIEW, { input: { ...review, rating: 5, recommend: 10, idempotencyKey: key('r') } });
    expect(second.recordReview).toMatchObject({ rating: 5, recommend: 10, revisions: 2, product: { averageRating: 5, reviewCount: 1 } });
    await ok(api, REVIEW, { input: { customerId: id('b'), productId: id('p'), rating: 2, idempotencyKey: key('r') } });
    const product = await ok(api, `
      query($id: ID!) {
        product(id: $id) {
          averageRating reviewCount purchaseCount
          reviews { totalCount }
        }
      }
    `, { id: id('p') });
    expect(product.product).toEqual({ averageRating: 3.5, reviewCount: 2, purchaseCount: 2, reviews: { totalCount: 2 } });
    const CUSTOMER_STAGE = `
      query($id: ID!) {
        customer(id: $id) { stage }
      }
    `;
    expect((await ok(api, CUSTOMER_STAGE, { id: id('a') })).customer.stage).toBe('LOYAL');
    for (const [field, value] of [['rating', 6], ['rating', 0], ['recommend', 11]] as const) {
      const bad = await api.gql('service', REVIEW, { input: { ...review, [field]: value, idempotencyKey: key('bad') } });
      expect(failure(bad)).toMatchObject({ code: 'BAD_USER_INPUT', field: `input.${field}` });
    }
  });

  test('marketer and community keys never see an email', async () => {
    const id = uniquePrefix('pii');
    const email = `${id}@example.com`;
    await ok(api, UPSERT, { input: { id, name: 'Private Person', email } });
    for (const role of ['marketer', 'community'] as const) {
      const asked = await api.gql(role, `
        query($id: ID!) {
          customer(id: $id) { id email }
        }
      `, { id });
      expect(failure(asked).code).toBe('FORBIDDEN');
      expect(JSON.stringify(asked)).not.toContain(email);
      const browsing = await api.gql(role, `
        query($id: ID!) {
          customer(id: $id) {
            id name stage
            connections { totalCount }
          }
        }
      `, { id });
      expect(browsing.errors).toBeUndefined();
      expect(JSON.stringify(browsing)).not.toContain(email);
    }
    const CUSTOMER_EMAIL = `
      query($id: ID!) {
        customer(id: $id) { email }
      }
    `;
    expect((await ok(api, CUSTOMER_EMAIL, { id })).customer.email).toBe(email);
  });

  test('eraseCustomer removes identity and personal data but keeps the anonymous counts', async () => {
    const id = await givenCustomers(api, uniquePrefix('erase'), ['ref']);
    const email = `${id('gone')}@example.com`;
    const code = (await ok(api, ISSUE_CODE, {
      input: { customerId: id('ref'), campaignId: id('camp'), idempotencyKey: key('code') },
    })).issueReferralCode.code;
    await ok(api, SIGNUP, { input: { customerId: id('gone'), email, code, at: iso(3), idempotencyKey: key('su') } });
    await ok(api, PURCHASE, { input: { customerId: id('gone'), productId: id('p'), orderId: id('o'), amount: 42, currency: 'EUR', idempotencyKey: key('p') } });
    await ok(api, REVIEW, { input: { customerId: id('gone'), productId: id('p'), rating: 4, text: 'my secret words', idempotencyKey: key('r') } });

    const ERASE_NOBODY = `
      mutation {
        eraseCustomer(id: "nobody-at-all") { erased }
      }
    `;
    expect(failure(await api.gql('admin', ERASE_NOBODY)).code).toBe('NOT_FOUND');
    const ERASE = `
      mutation($id: ID!) {
        eraseCustomer(id: $id) { erased }
      }
    `;
    expect((await ok(api, ERASE, { id: id('gone') }, 'admin')).eraseCustomer.erased).toBe(true);

    const CUSTOMER_ID = `
      query($id: ID!) {
        customer(id: $id) { id }
      }
    `;
    expect((await ok(api, CUSTOMER_ID, { id: id('gone') })).customer).toBeNull();
    const referrer = await ok(api, `
      query($id: ID!) {
        customer(id: $id) {
          referrals {
            totalCount
            edges {
              node {
                status
                invitee { id name }
              }
            }
          }
        }
      }
    `, { id: id('ref') });
    expect(referrer.customer.referrals.totalCount).toBe(1);
    const anonymous = referrer.customer.referrals.edges[0].node;
    expect(anonymous.status).toBe('CONVERTED');
    expect(anonymous.invitee.id).toMatch(/^erased-/);
    expect(anonymous.invitee.name).toBeNull();
    const product = await ok(api, `
      query($id: ID!) {
        product(id: $id) {
          reviewCount averageRating purchaseCount
          reviews {
            edges {
              node { text }
            }
          }
        }
      }
    `, { id: id('p') });
    expect(product.product).toMatchObject({ reviewCount: 1, averageRating: 4, purchaseCount: 1 });
    expect(product.product.reviews.edges[0].node.text).toBeNull();
    const [left] = await api.graph.read(
      cypher('test.pii', 'MATCH (n) WHERE n.email = $email OR (n:IdempotencyKey AND n.result CONTAINS $email) RETURN count(n) AS n'),
      { email },
    );
    expect(left.n).toBe(0);
  });
});
