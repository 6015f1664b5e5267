import { cypher } from '../../graph/neo4j';
import { BATCH, failure, givenCustomers, iso, key, ok } from '../support/builders';
import { startTestApi, TestApi, uniquePrefix } from '../support/services';

const COUNT = cypher('test.countPrefix', 'MATCH (c:Customer) WHERE c.id STARTS WITH $prefix RETURN count(c) AS n');

describe('recordEvents', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const customersWith = async (prefix: string) => (await api.graph.read(COUNT, { prefix }))[0].n;

  test('a batch of mixed events is written in order in one transaction, and a replay changes nothing', async () => {
    const prefix = uniquePrefix('batch');
    const id = await givenCustomers(api, prefix, ['a']);
    const events = [
      { upsertCustomer: { id: id('b'), name: 'B' } },
      { connectCustomers: { customerId: id('a'), otherId: id('b'), idempotencyKey: key('e') } },
      { follow: { followerId: id('b'), followedId: id('a'), idempotencyKey: key('e') } },
      { recordInvite: { referrerId: id('a'), campaignId: id('camp'), invitee: { id: id('c') }, channel: 'email', at: iso(2), idempotencyKey: key('e') } },
      { recordReferralClick: { referrerId: id('a'), campaignId: id('camp'), inviteeId: id('c'), at: iso(3), idempotencyKey: key('e') } },
      { recordSignup: { customerId: id('c'), at: iso(4), idempotencyKey: key('e') } },
      { recordPurchase: { customerId: id('c'), productId: id('p'), orderId: id('o'), amount: 30, currency: 'EUR', at: iso(5), idempotencyKey: key('e') } },
      { recordReview: { customerId: id('c'), productId: id('p'), rating: 5, recommend: 9, idempotencyKey: key('e') } },
    ];
    const first = await ok(api, BATCH, { events });
    expect(first.recordEvents.map((r: { kind: string }) => r.kind)).toEqual([
      'UPSERT_CUSTOMER', 'CONNECT_CUSTOMERS', 'FOLLOW', 'RECORD_INVITE', 'RECORD_REFERRAL_CLICK', 'RECORD_SIGNUP', 'RECORD_PURCHASE', 'RECORD_REVIEW',
    ]);
    expect(first.recordEvents.every((r: { replayed: boolean }) => !r.replayed)).toBe(true);
    const c = await ok(api, `
      query($id: ID!) {
        customer(id: $id) {
          stage
          referredBy {
            status
            referrer { id }
          }
        }
      }
    `, { id: id('c') });
    expect(c.customer).toEqual({ stage: 'BUYER', referredBy: { status: 'CONVERTED', referrer: { id: id('a') } } });

    const replay = await ok(api, BATCH, { events });
    expect(replay.recordEvents.slice(1).every((r: { replayed: boolean }) => r.replayed)).toBe(true);
    const purchases = await ok(api, `
      query($id: ID!) {
        customer(id: $id) {
          purchases { totalCount }
        }
      }
    `, { id: id('c') });
    expect(purchases.customer.purchases.totalCount).toBe(1);
  });

  test('a batch with one bad event writes nothing and names the event and the field', async () => {
    const prefix = uniquePrefix('atomic');
    const events = [
      { upsertCustomer: { id: `${prefix}-x` } },
      { upsertCustomer: { id: `${prefix}-y` } },
      { recordReview: { customerId: `${prefix}-x`, productId: `${prefix}-p`, rating: 9, idempotencyKey: key('e') } },
      { upsertCustomer: { id: `${prefix}-z` } },
    ];
    const body = await api.gql('service', BATCH, { events });
    expect(failure(body)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'events[2].recordReview.rating' });
    expect(failure(body).message).toMatch(/^events\[2\] \(recordReview\): /);
    expect(await customersWith(prefix)).toBe(0);
  });

  test('a batch that fails on a database rule late in the batch also writes nothing', async () => {
    const prefix = uniquePrefix('late');
    const events = [
      { upsertCustomer: { id: `${prefix}-x` } },
      { recordPurchase: { customerId: `${prefix}-x`, productId: 'p', orderId: `${prefix}-o`, amount: 1, currency: 'EUR', idempotencyKey: key('e') } },
      { recordPurchase: { customerId: `${prefix}-x`, productId: 'p', orderId: `${prefix}-o`, amount: 1, currency: 'EUR', idempotencyKey: key('e') } },
    ];
    expect(failure(await api.gql('service', BATCH, { events }))).toMatchObject({ code: 'CONFLICT', field: 'events[2].recordPurchase.orderId' });
    expect(await customersWith(prefix)).toBe(0);
  });

  test('a key used twice in one batch is a replay of its first use, or a CONFLICT for other input', async () => {
    const id = await givenCustomers(api, uniquePrefix('twice'), ['a', 'b']);
    const follow = { followerId: id('a'), followedId: id('b'), idempotencyKey: key('t') };
    const replayed = await ok(api, BATCH, { events: [{ follow }, { follow }] });
    expect(replayed.recordEvents.map((r: { replayed: boolean }) => r.replayed)).toEqual([false, true]);
    const shared = key('u');
    const conflicting = await api.gql('service', BATCH, {
      events: [{ upsertCustomer: { id: id('c') } }, { follow: { ...follow, idempotencyKey: shared } }, { follow: { ...follow, followerId: id('c'), idempotencyKey: shared } }],
    });
    expect(failure(conflicting)).toMatchObject({ code: 'CONFLICT', field: 'events[2].follow.idempotencyKey' });
    expect(await customersWith(id('c'))).toBe(0);
  });

  test('an event setting two kinds or none is refused before anything runs, naming the event (EventInput is @oneOf)', async () => {
    const prefix = uniquePrefix('oneof');
    const upsert = { upsertCustomer: { id: `${prefix}-a` } };
    const both = await api.gql('service', BATCH, { events: [upsert, { upsertCustomer: { id: `${prefix}-b` }, follow: { followerId: 'a', followedId: 'b', idempotencyKey: 'k' } }] });
    expect(failure(both)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'events[1]' });
    expect(failure(both).message).toMatch(/at "events\[1\]"; Exactly one key must be specified for OneOf type "EventInput"\.$/);
    const none = await api.gql('service', BATCH, { events: [upsert, {}] });
    expect(failure(none)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'events[1]' });
    const explicitNull = await api.gql('service', BATCH, { events: [{ ...upsert, follow: null }] });
    expect(failure(explicitNull)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'events[0]' });
    // Written in the query text instead of a variable, the same mistake fails validation.
    const literal = await api.gql('service', `
      mutation {
        recordEvents(events: [{ upsertCustomer: { id: "${prefix}-c" } }, {}]) { index }
      }
    `);
    expect(failure(literal)).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', message: 'OneOf Input Object "EventInput" must specify exactly one key.' });
    expect(await customersWith(prefix)).toBe(0);
  });

  test('a batch holds 1 to 1,000 events', async () => {
    expect(failure(await api.gql('service', BATCH, { events: [] }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'events' });
    const prefix = uniquePrefix('big');
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ upsertCustomer: { id: `${prefix}-${i}` } }));
    expect(failure(await api.gql('service', BATCH, { events: tooMany }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'events' });
    expect(await customersWith(prefix)).toBe(0);
  });

  test('a batch of 1,000 events is accepted', async () => {
    const prefix = uniquePrefix('thousand');
    const events = Array.from({ length: 1000 }, (_, i) => ({ upsertCustomer: { id: `${prefix}-${i}`, name: `N${i}` } }));
    const body = await ok(api, BATCH, { events });
    expect(body.recordEvents).toHaveLength(1000);
    expect(await customersWith(prefix)).toBe(1000);
  });
});
