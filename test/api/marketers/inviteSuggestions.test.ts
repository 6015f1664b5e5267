import { CAMPAIGN, CONNECT, failure, INVITE, iso, key, ok, PURCHASE, UPSERT } from '../../support/builders';
import { startTestApi, TestApi, uniquePrefix } from '../../support/services';

const SUGGESTIONS = `
  query($id: ID!, $limit: Int) {
    inviteSuggestions(customerId: $id, limit: $limit) {
      customer { id }
      score
      sharedContactCount
      sharedContacts { id }
      alreadyInvited
    }
  }
`;

// me knows a, b, c, d, e; b is a buyer. Shared contacts: x (knows me, a, c), y (knows me, a), z (knows me, c, d, w1, w2).
// KNOWS among the test's own customers only, so every degree is known here.
const NAMES = ['me', 'a', 'b', 'c', 'd', 'e', 'x', 'y', 'z', 'w1', 'w2'];
const TIES: Array<[string, string]> = [
  ['me', 'a'], ['me', 'b'], ['me', 'c'], ['me', 'd'], ['me', 'e'],
  ['me', 'x'], ['me', 'y'], ['me', 'z'],
  ['x', 'a'], ['x', 'c'], ['y', 'a'], ['z', 'c'], ['z', 'd'], ['z', 'w1'], ['z', 'w2'],
  ['x', 'b'], ['y', 'b'],
];

describe('inviteSuggestions ranks the contacts who have not bought by Adamic–Adar', () => {
  let api: TestApi;
  const p = uniquePrefix('invite');
  const id = (name: string) => `${p}-${name}`;

  beforeAll(async () => {
    api = await startTestApi();
    for (const name of NAMES) await ok(api, UPSERT, { input: { id: id(name), name, email: `${name}-${p}@example.com` } });
    for (const [a, b] of TIES) await ok(api, CONNECT, { input: { customerId: id(a), otherId: id(b), idempotencyKey: key('k') } });
    await ok(api, PURCHASE, { input: { customerId: id('b'), productId: `${p}-prod`, orderId: `${p}-o1`, amount: 10, currency: 'EUR', at: iso(3), idempotencyKey: key('p') } });
    // x and y are buyers too, so they are shared contacts but not suggestions themselves.
    for (const name of ['x', 'y', 'z']) {
      await ok(api, PURCHASE, { input: { customerId: id(name), productId: `${p}-prod`, orderId: `${p}-o-${name}`, amount: 10, currency: 'EUR', at: iso(3), idempotencyKey: key('p') } });
    }
  });
  afterAll(() => api.close());

  /** Adamic–Adar by definition: Σ over common neighbours z of 1 / ln(deg z), on the adjacency built above. */
  function expected() {
    const neighbours = new Map<string, Set<string>>(NAMES.map((name) => [name, new Set()]));
    for (const [a, b] of TIES) {
      neighbours.get(a)!.add(b);
      neighbours.get(b)!.add(a);
    }
    const buyers = new Set(['b', 'x', 'y', 'z']);
    return [...neighbours.get('me')!]
      .filter((contact) => !buyers.has(contact))
      .map((contact) => {
        const shared = [...neighbours.get('me')!].filter((z) => neighbours.get(contact)!.has(z));
        const ordered = shared.sort((m, n) => neighbours.get(m)!.size - neighbours.get(n)!.size || (id(m) < id(n) ? -1 : 1));
        return {
          customer: { id: id(contact) },
          score: shared.reduce((sum, z) => sum + 1 / Math.log(neighbours.get(z)!.size), 0),
          sharedContactCount: shared.length,
          sharedContacts: ordered.map((z) => ({ id: id(z) })),
          alreadyInvited: false,
        };
      })
      .sort((s, t) => t.score - s.score || t.sharedContactCount - s.sharedContactCount || (s.customer.id < t.customer.id ? -1 : 1));
  }

  test('the scores, order and shared contacts match Adamic–Adar computed by definition, buyers left out', async () => {
    const data = await ok(api, SUGGESTIONS, { id: id('me'), limit: 10 }, 'admin');
    const want = expected();
    expect(data.inviteSuggestions.map((s: { customer: { id: string } }) => s.customer.id)).toEqual(want.map((s) => s.customer.id));
    expect(data.inviteSuggestions.map((s: { customer: { id: string } }) => s.customer.id)).not.toContain(id('b'));
    data.inviteSuggestions.forEach((suggestion: { score: number }, index: number) => {
      expect(suggestion.score).toBeCloseTo(want[index].score, 10);
      expect(suggestion).toEqual({ ...want[index], score: suggestion.score });
    });
    // e shares nobody with me: it scores 0 and comes last.
    expect(data.inviteSuggestions.at(-1)).toMatchObject({ customer: { id: id('e') }, score: 0, sharedContacts: [] });
  });

  test('limit keeps the best suggestions', async () => {
    const data = await ok(api, SUGGESTIONS, { id: id('me'), limit: 2 }, 'admin');
    expect(data.inviteSuggestions.map((s: { customer: { id: string } }) => s.customer.id)).toEqual(expected().slice(0, 2).map((s) => s.customer.id));
  });

  test('a contact the customer has already invited is still suggested, marked alreadyInvited', async () => {
    await ok(api, CAMPAIGN, { input: { id: `${p}-camp`, name: 'Invites', startsAt: iso(1, 0), endsAt: '2099-01-01T00:00:00Z' } });
    await ok(api, INVITE, { input: { referrerId: id('me'), campaignId: `${p}-camp`, invitee: { id: id('d') }, channel: 'email', at: iso(4), idempotencyKey: key('i') } });
    const data = await ok(api, SUGGESTIONS, { id: id('me'), limit: 10 }, 'admin');
    const invited = data.inviteSuggestions.filter((s: { alreadyInvited: boolean }) => s.alreadyInvited).map((s: { customer: { id: string } }) => s.customer.id);
    expect(invited).toEqual([id('d')]);
    expect(data.inviteSuggestions.map((s: { customer: { id: string } }) => s.customer.id)).toEqual(expected().map((s) => s.customer.id));
  });

  test('a marketer may ask, but never sees an email; the service role may not ask', async () => {
    const asMarketer = await api.gql('marketer', `query($id: ID!) { inviteSuggestions(customerId: $id) { customer { id name } } }`, { id: id('me') });
    expect(asMarketer.errors).toBeUndefined();
    expect(asMarketer.data!.inviteSuggestions.length).toBe(expected().length);
    const withEmail = await api.gql('marketer', `query($id: ID!) { inviteSuggestions(customerId: $id) { customer { email } } }`, { id: id('me') });
    expect(failure(withEmail).code).toBe('FORBIDDEN');
    expect(JSON.stringify(withEmail.data)).not.toContain('@example.com');
    const community = await api.gql('community', SUGGESTIONS, { id: id('me') });
    expect(community.errors).toBeUndefined();
    expect(failure(await api.gql('service', SUGGESTIONS, { id: id('me') })).code).toBe('FORBIDDEN');
  });

  test('an unknown customer is NOT_FOUND and a limit out of range is BAD_USER_INPUT, each naming the argument', async () => {
    expect(failure(await api.gql('admin', SUGGESTIONS, { id: id('nobody') }))).toMatchObject({ code: 'NOT_FOUND', field: 'customerId' });
    expect(failure(await api.gql('admin', SUGGESTIONS, { id: 'not valid!' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customerId' });
    expect(failure(await api.gql('admin', SUGGESTIONS, { id: id('me'), limit: 0 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'limit' });
    expect(failure(await api.gql('admin', SUGGESTIONS, { id: id('me'), limit: 101 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'limit' });
  });
});
