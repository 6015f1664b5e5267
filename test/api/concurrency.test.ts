import { cypher } from '../../graph/neo4j';
import { BATCH, ISSUE_CODE, PURCHASE, SIGNUP, UPSERT, failure, givenCustomers, iso, key, ok } from '../support/builders';
import { GraphQLBody, startTestApi, TestApi, uniquePrefix } from '../support/services';

// Each rule that says "one" is raced by WRITERS concurrent conflicting requests, ROUNDS times with fresh ids,
// and then checked by reading the graph back: a race the database does not stop shows up as a second row.
const ROUNDS = 5;
const WRITERS = 50;

const PURCHASES_OF_ORDER = cypher<{ n: number }>('test.purchasesOfOrder', 'MATCH ()-[p:PURCHASED {orderId: $orderId}]->() RETURN count(p) AS n');
const CREDITS_OF = cypher<{ credits: number; signedUpAt: number | null; referrerId: string | null }>(
  'test.creditsOf',
  `MATCH (c:Customer {id: $id})
   OPTIONAL MATCH (referrer:Customer)-[r:REFERRED WHERE r.signedUpAt IS NOT NULL]->(c)
   RETURN count(r) AS credits, c.signedUpAt AS signedUpAt, collect(referrer.id)[0] AS referrerId`,
);
const CODES_OF = cypher<{ codes: string[] }>(
  'test.codesOf',
  `MATCH (:Customer {id: $customerId})-[:OWNS]->(code:ReferralCode)-[:FOR]->(:Campaign {id: $campaignId})
   RETURN collect(code.code) AS codes`,
);
const CODES_BY_OWNER = cypher<{ ownerId: string; code: string }>(
  'test.codesByOwner',
  `UNWIND $ids AS id
   MATCH (owner:Customer {id: id})-[:OWNS]->(code:ReferralCode)-[:FOR]->(:Campaign {id: $campaignId})
   RETURN owner.id AS ownerId, code.code AS code`,
);
// Any closed walk of credited referrals through a customer of the test.
const CYCLES = cypher<{ cycles: number }>(
  'test.creditCycles',
  `MATCH p = (c:Customer) (()-[r:REFERRED WHERE r.signedUpAt IS NOT NULL]->()){1,10} (c)
   WHERE c.id STARTS WITH $prefix
   RETURN count(p) AS cycles`,
);
const CREDITS_AMONG = cypher<{ credits: number }>(
  'test.creditsAmong',
  `MATCH (a:Customer)-[r:REFERRED WHERE r.signedUpAt IS NOT NULL]->(b:Customer)
   WHERE a.id IN $ids AND b.id IN $ids
   RETURN count(r) AS credits`,
);

const succeeded = (body: GraphQLBody) => !body.errors && body.data !== null && body.data !== undefined;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Every answer is a success or a CONFLICT naming `field`; never an internal error. */
function expectSuccessOrConflict(bodies: GraphQLBody[], field: string) {
  for (const body of bodies) {
    if (succeeded(body)) continue;
    expect(failure(body)).toMatchObject({ code: 'CONFLICT', field });
  }
}

describe('the rules that say "one" hold under concurrent writes', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  /** Customers `${prefix}-${name}` (one batch), a running campaign, and each customer's code for it, by name. */
  async function givenCodeOwners(prefix: string, names: string[]) {
    const id = await givenCustomers(api, prefix, []);
    await ok(api, BATCH, {
      events: names.flatMap((name) => [
        { upsertCustomer: { id: id(name), name } },
        { issueReferralCode: { customerId: id(name), campaignId: id('camp'), idempotencyKey: key('code') } },
      ]),
    });
    const rows = await api.graph.read(CODES_BY_OWNER, { ids: names.map(id), campaignId: id('camp') });
    const byId = new Map(rows.map((row) => [row.ownerId, row.code]));
    return { id, codes: new Map(names.map((name) => [name, byId.get(id(name))!])) };
  }

  test('concurrent purchases with one order id store exactly one purchase; the others get CONFLICT on orderId', async () => {
    for (const round of range(ROUNDS)) {
      const id = await givenCustomers(api, uniquePrefix(`order${round}`), ['buyer']);
      const orderId = id('order');
      const bodies = await Promise.all(
        range(WRITERS).map((i) =>
          api.gql('service', PURCHASE, {
            input: { customerId: id('buyer'), productId: id('p'), orderId, amount: 10 + i, currency: 'EUR', at: iso(2), idempotencyKey: key('buy') },
          }),
        ),
      );
      expectSuccessOrConflict(bodies, 'input.orderId');
      expect(bodies.filter(succeeded)).toHaveLength(1);
      expect((await api.graph.read(PURCHASES_OF_ORDER, { orderId }))[0].n).toBe(1);
    }
  });

  test('concurrent sign-ups of one new customer with different codes credit exactly one referral and sign the customer up once', async () => {
    for (const round of range(ROUNDS)) {
      const referrers = range(WRITERS).map((i) => `r${i}`);
      const { id, codes: byName } = await givenCodeOwners(uniquePrefix(`signup${round}`), referrers);
      const codes = referrers.map((name) => byName.get(name)!);
      const bodies = await Promise.all(
        codes.map((code, i) => api.gql('service', SIGNUP, { input: { customerId: id('new'), code, at: iso(2, i % 24), idempotencyKey: key('signup') } })),
      );
      expectSuccessOrConflict(bodies, 'input.customerId');
      const winners = bodies.filter(succeeded);
      expect(winners).toHaveLength(1);
      const [state] = await api.graph.read(CREDITS_OF, { id: id('new') });
      expect(state.credits).toBe(1);
      expect(state.referrerId).toBe(winners[0].data!.recordSignup.referral.referrer.id);
      expect(new Date(state.signedUpAt!).toISOString()).toBe(winners[0].data!.recordSignup.customer.signedUpAt);
    }
  });

  test('concurrent sign-ups of one existing customer without a code sign them up once', async () => {
    for (const round of range(ROUNDS)) {
      const id = await givenCustomers(api, uniquePrefix(`plain${round}`), ['existing']);
      const bodies = await Promise.all(
        range(WRITERS).map((i) => api.gql('service', SIGNUP, { input: { customerId: id('existing'), at: iso(2, i % 24), idempotencyKey: key('signup') } })),
      );
      expectSuccessOrConflict(bodies, 'input.customerId');
      expect(bodies.filter(succeeded)).toHaveLength(1);
    }
  });

  test('concurrent issues of a code for one customer and campaign all return the one code stored', async () => {
    for (const round of range(ROUNDS)) {
      const id = await givenCustomers(api, uniquePrefix(`issue${round}`), ['owner']);
      const bodies = await Promise.all(
        range(WRITERS).map(() => api.gql('service', ISSUE_CODE, { input: { customerId: id('owner'), campaignId: id('camp'), idempotencyKey: key('code') } })),
      );
      for (const body of bodies) expect(body.errors).toBeUndefined();
      const returned = new Set(bodies.map((body) => body.data!.issueReferralCode.code as string));
      const [stored] = await api.graph.read(CODES_OF, { customerId: id('owner'), campaignId: id('camp') });
      expect(stored.codes).toHaveLength(1);
      expect([...returned]).toEqual(stored.codes);
    }
  });

  test('two customers signing up with each other\'s codes at once never form a cycle: exactly one of each pair is credited', async () => {
    const pairs = WRITERS / 2;
    for (const round of range(ROUNDS)) {
      const prefix = uniquePrefix(`pairs${round}`);
      const names = range(pairs).flatMap((i) => [`a${i}`, `b${i}`]);
      const { id, codes } = await givenCodeOwners(prefix, names);
      const signUp = (who: string, withCodeOf: string) =>
        api.gql('service', SIGNUP, { input: { customerId: id(who), code: codes.get(withCodeOf), at: iso(2), idempotencyKey: key('pair') } });
      const bodies = await Promise.all(range(pairs).flatMap((i) => [signUp(`a${i}`, `b${i}`), signUp(`b${i}`, `a${i}`)]));
      expectSuccessOrConflict(bodies, 'input.code');
      expect((await api.graph.read(CYCLES, { prefix }))[0].cycles).toBe(0);
      for (const i of range(pairs)) {
        expect((await api.graph.read(CREDITS_AMONG, { ids: [id(`a${i}`), id(`b${i}`)] }))[0].credits).toBe(1);
        expect([bodies[2 * i], bodies[2 * i + 1]].filter(succeeded)).toHaveLength(1);
      }
      const chain = await api.gql('marketer', `
        query($id: ID!) {
          referralChain(customerId: $id) {
            root { id }
            cycleDetected
          }
        }
      `, { id: id('a0') });
      expect(chain.errors).toBeUndefined();
      expect(chain.data!.referralChain.cycleDetected).toBe(false);
    }
  });

  test('three customers signing up around a ring of codes at once never close it', async () => {
    const rings = 16;
    for (const round of range(ROUNDS)) {
      const prefix = uniquePrefix(`ring${round}`);
      const names = range(rings).flatMap((i) => [`a${i}`, `b${i}`, `c${i}`]);
      const { id, codes } = await givenCodeOwners(prefix, names);
      const signUp = (who: string, withCodeOf: string) =>
        api.gql('service', SIGNUP, { input: { customerId: id(who), code: codes.get(withCodeOf), at: iso(2), idempotencyKey: key('ring') } });
      const bodies = await Promise.all(range(rings).flatMap((i) => [signUp(`a${i}`, `b${i}`), signUp(`b${i}`, `c${i}`), signUp(`c${i}`, `a${i}`)]));
      expectSuccessOrConflict(bodies, 'input.code');
      expect((await api.graph.read(CYCLES, { prefix }))[0].cycles).toBe(0);
      for (const i of range(rings)) {
        expect((await api.graph.read(CREDITS_AMONG, { ids: [id(`a${i}`), id(`b${i}`), id(`c${i}`)] }))[0].credits).toBe(2);
      }
    }
  });

  test('concurrent batches racing one order id and one sign-up commit exactly one batch, whole', async () => {
    for (const round of range(ROUNDS)) {
      const referrers = range(WRITERS).map((i) => `r${i}`);
      const { id, codes: byName } = await givenCodeOwners(uniquePrefix(`batch${round}`), referrers);
      const codes = referrers.map((name) => byName.get(name)!);
      const bodies = await Promise.all(
        codes.map((code, i) =>
          api.gql('service', BATCH, {
            events: [
              { issueReferralCode: { customerId: id('r0'), campaignId: id('camp'), idempotencyKey: key('bcode') } },
              { recordSignup: { customerId: id('new'), code, at: iso(2), idempotencyKey: key('bsignup') } },
              { recordPurchase: { customerId: id('new'), productId: id('p'), orderId: id('order'), amount: 10 + i, currency: 'EUR', at: iso(3), idempotencyKey: key('bbuy') } },
            ],
          }),
        ),
      );
      for (const body of bodies.filter((b) => !succeeded(b))) {
        expect(failure(body).code).toBe('CONFLICT');
        expect(['events[1].recordSignup.customerId', 'events[2].recordPurchase.orderId']).toContain(failure(body).field);
      }
      expect(bodies.filter(succeeded)).toHaveLength(1);
      expect((await api.graph.read(PURCHASES_OF_ORDER, { orderId: id('order') }))[0].n).toBe(1);
      expect((await api.graph.read(CREDITS_OF, { id: id('new') }))[0].credits).toBe(1);
      expect((await api.graph.read(CODES_OF, { customerId: id('r0'), campaignId: id('camp') }))[0].codes).toEqual([codes[0]]);
    }
  });

  test('concurrent batches of pairs signing up with each other\'s codes never form a cycle', async () => {
    const pairs = WRITERS / 2;
    for (const round of range(ROUNDS)) {
      const prefix = uniquePrefix(`bpairs${round}`);
      const names = range(pairs).flatMap((i) => [`a${i}`, `b${i}`]);
      const { id, codes } = await givenCodeOwners(prefix, names);
      // Each batch also issues a code for one shared customer, so the batches meet on that rule too.
      const batch = (who: string, withCodeOf: string) =>
        api.gql('service', BATCH, {
          events: [
            { issueReferralCode: { customerId: id('a0'), campaignId: id('camp'), idempotencyKey: key('bpc') } },
            { recordSignup: { customerId: id(who), code: codes.get(withCodeOf), at: iso(2), idempotencyKey: key('bps') } },
          ],
        });
      const bodies = await Promise.all(range(pairs).flatMap((i) => [batch(`a${i}`, `b${i}`), batch(`b${i}`, `a${i}`)]));
      expectSuccessOrConflict(bodies, 'events[1].recordSignup.code');
      expect((await api.graph.read(CYCLES, { prefix }))[0].cycles).toBe(0);
      for (const i of range(pairs)) {
        expect((await api.graph.read(CREDITS_AMONG, { ids: [id(`a${i}`), id(`b${i}`)] }))[0].credits).toBe(1);
      }
      expect((await api.graph.read(CODES_OF, { customerId: id('a0'), campaignId: id('camp') }))[0].codes).toEqual([codes.get('a0')]);
    }
  });

  test('referralChain reports a cycle written before the rule was enforced instead of failing', async () => {
    const id = await givenCustomers(api, uniquePrefix('storedcycle'), ['a', 'b', 'c', 'below']);
    // Data from before the fix: a → b → c → a, all credited, and one customer below the ring.
    await api.graph.write(
      cypher(
        'test.writeCycle',
        `UNWIND [[$a, $b], [$b, $c], [$c, $a], [$a, $below]] AS pair
         MATCH (x:Customer {id: pair[0]}), (y:Customer {id: pair[1]})
         CREATE (x)-[:REFERRED {campaign: $campaign, status: 'SIGNED_UP', invitedAt: 1, signedUpAt: 2, channel: 'code'}]->(y)`,
      ),
      { a: id('a'), b: id('b'), c: id('c'), below: id('below'), campaign: id('camp') },
    );
    const CHAIN = `
      query($id: ID!) {
        referralChain(customerId: $id) {
          upward { id }
          root { id }
          downward {
            customer { id }
            depth
          }
          cycleDetected
        }
      }
    `;
    const fromRing = await api.gql('marketer', CHAIN, { id: id('a') });
    expect(fromRing.errors).toBeUndefined();
    expect(fromRing.data!.referralChain.cycleDetected).toBe(true);
    expect(fromRing.data!.referralChain.upward.map((c: { id: string }) => c.id)).toEqual([id('c'), id('b')]);
    const fromBelow = await api.gql('marketer', CHAIN, { id: id('below') });
    expect(fromBelow.errors).toBeUndefined();
    expect(fromBelow.data!.referralChain.cycleDetected).toBe(true);
    expect(fromBelow.data!.referralChain.upward.map((c: { id: string }) => c.id)).toEqual([id('a'), id('c'), id('b')]);
    // A customer outside any ring is unaffected.
    await ok(api, UPSERT, { input: { id: id('alone') } });
    const alone = await ok(api, CHAIN, { id: id('alone') }, 'admin');
    expect(alone.referralChain).toMatchObject({ upward: [], root: { id: id('alone') }, cycleDetected: false });
  });
});
