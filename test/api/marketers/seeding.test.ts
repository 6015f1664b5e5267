import { CAMPAIGN, CONNECT, failure, FOLLOW, INVITE, iso, key, ok, UPSERT } from '../../support/builders';
import { startExclusiveTestApi } from '../../support/exclusive';
import type { TestApi } from '../../support/services';
import { snapshotStoreFor } from '../../../server/cache/snapshots';
import { refreshSnapshots } from '../../../server/jobs/snapshotRefresh';
import { createLogger } from '../../../server/logger';

// Seeding ranks the whole graph: an empty Neo4j of its own, and the expected plans computed here from the
// ties below, by plain greedy and by brute force over every k-subset of customers.

const SEED = `
  query($k: Int!, $campaign: ID) {
    seedAdvocates(k: $k, campaignId: $campaign) {
      picks { customer { id } marginalReach reach }
      totalReach naiveTotalReach naivePicks { id } candidates asOf
    }
  }
`;

// Circle one: a1 and a2 know each other and share the friends c1–c5 (a2 also knows c6). Circle two: b and d1–d5. Circle three:
// e, f1, f2 and g, who follows e. a1 and a2 reach most, but choosing both adds little.
const KNOWS: Array<[string, string]> = [
  ['a1', 'a2'],
  ...['c1', 'c2', 'c3', 'c4', 'c5'].map((c): [string, string] => ['a1', c]),
  ...['c1', 'c2', 'c3', 'c4', 'c5', 'c6'].map((c): [string, string] => ['a2', c]),
  ...['d1', 'd2', 'd3', 'd4'].map((d): [string, string] => ['b', d]),
  ['d1', 'd5'],
  ['e', 'f1'], ['e', 'f2'], ['f1', 'f3'],
];
const FOLLOWS: Array<[string, string]> = [['g', 'e']];
const PEOPLE = [...new Set([...KNOWS, ...FOLLOWS].flat())].sort();

describe('seedAdvocates chooses the advocates whose combined unique reach is largest', () => {
  let api: TestApi;
  const id = (name: string) => `seed-${name}`;

  beforeAll(async () => {
    api = await startExclusiveTestApi();
    for (const name of PEOPLE) await ok(api, UPSERT, { input: { id: id(name), name, email: `${name}@seed.example.com` } });
    for (const [a, b] of KNOWS) await ok(api, CONNECT, { input: { customerId: id(a), otherId: id(b), idempotencyKey: key('k') } });
    for (const [a, b] of FOLLOWS) await ok(api, FOLLOW, { input: { followerId: id(a), followedId: id(b), idempotencyKey: key('f') } });
    // Only b and e sent a referral in the campaign.
    await ok(api, CAMPAIGN, { input: { id: 'seed-camp', name: 'Seeding', startsAt: iso(1, 0), endsAt: '2099-01-01T00:00:00Z' } });
    for (const referrer of ['b', 'e']) {
      await ok(api, INVITE, { input: { referrerId: id(referrer), campaignId: 'seed-camp', invitee: { id: id(`${referrer}-invitee`) }, channel: 'email', at: iso(2), idempotencyKey: key('i') } });
    }
  });
  afterAll(() => api.close());

  /** Customers within two hops of each customer, over the ties either way, by breadth-first search. */
  function reachSets(): Map<string, Set<string>> {
    const adjacency = new Map<string, Set<string>>(PEOPLE.map((p) => [p, new Set()]));
    for (const [a, b] of [...KNOWS, ...FOLLOWS]) {
      adjacency.get(a)!.add(b);
      adjacency.get(b)!.add(a);
    }
    return new Map(
      PEOPLE.map((person) => {
        const seen = new Set([person]);
        let frontier = [person];
        for (let hop = 0; hop < 2; hop++) frontier = frontier.flatMap((at) => [...adjacency.get(at)!].filter((n) => !seen.has(n) && seen.add(n)));
        seen.delete(person);
        return [person, seen];
      }),
    );
  }

  const unionSize = (sets: Array<Set<string>>) => new Set(sets.flatMap((set) => [...set])).size;

  function plainGreedy(pool: string[], k: number) {
    const sets = reachSets();
    const covered = new Set<string>();
    const picks: Array<{ customer: { id: string }; marginalReach: number; reach: number }> = [];
    const left = [...pool].sort((x, y) => (id(x) < id(y) ? -1 : 1));
    while (picks.length < k) {
      const gains = left.map((c) => [...sets.get(c)!].filter((m) => !covered.has(m)).length);
      const best = gains.indexOf(Math.max(...gains));
      if (best < 0 || gains[best] === 0) break;
      const [chosen] = left.splice(best, 1);
      sets.get(chosen)!.forEach((m) => covered.add(m));
      picks.push({ customer: { id: id(chosen) }, marginalReach: gains[best], reach: sets.get(chosen)!.size });
    }
    return picks;
  }

  function bruteForceBest(pool: string[], k: number): number {
    const sets = reachSets();
    let best = 0;
    const choose = (start: number, chosen: string[]) => {
      if (chosen.length === k) return void (best = Math.max(best, unionSize(chosen.map((c) => sets.get(c)!))));
      for (let i = start; i < pool.length; i++) choose(i + 1, [...chosen, pool[i]]);
    };
    choose(0, []);
    return best;
  }

  function naive(pool: string[], k: number) {
    const sets = reachSets();
    const top = [...pool].sort((x, y) => sets.get(y)!.size - sets.get(x)!.size || (id(x) < id(y) ? -1 : 1)).slice(0, k);
    return { ids: top.map((c) => ({ id: id(c) })), total: unionSize(top.map((c) => sets.get(c)!)) };
  }

  test('the picks are plain greedy’s, the plan is the best k-subset by brute force here, and it beats naive top-k', async () => {
    for (const k of [1, 2, 3, 4]) {
      const plan = (await ok(api, SEED, { k }, 'admin')).seedAdvocates;
      expect(plan.picks).toEqual(plainGreedy(PEOPLE, k));
      expect(plan.totalReach).toBe(plan.picks.reduce((sum: number, pick: { marginalReach: number }) => sum + pick.marginalReach, 0));
      expect(plan.totalReach).toBe(bruteForceBest(PEOPLE, k));
      expect(plan.naivePicks).toEqual(naive(PEOPLE, k).ids);
      expect(plan.naiveTotalReach).toBe(naive(PEOPLE, k).total);
      expect(plan.totalReach).toBeGreaterThanOrEqual(plan.naiveTotalReach);
      expect(plan.candidates).toBe(PEOPLE.length);
    }
    // Where they differ: naive takes a1 and a2 from the same circle; the greedy plan takes one of them and b.
    const two = (await ok(api, SEED, { k: 2 }, 'admin')).seedAdvocates;
    expect(two.naivePicks.map((c: { id: string }) => c.id)).toEqual([id('a1'), id('a2')]);
    expect(two.picks.map((p: { customer: { id: string } }) => p.customer.id)).toEqual([id('a1'), id('b')]);
    expect(two.totalReach).toBeGreaterThan(two.naiveTotalReach);
  });

  test('the plans for every k come from one snapshot: the picks for k are the first k of the picks for 100', async () => {
    const all = (await ok(api, SEED, { k: 100 }, 'admin')).seedAdvocates;
    expect(all.picks).toEqual(plainGreedy(PEOPLE, 100));
    for (const k of [1, 3, 5]) {
      const plan = (await ok(api, SEED, { k }, 'admin')).seedAdvocates;
      expect(plan.picks).toEqual(all.picks.slice(0, k));
      expect(plan.asOf).toBe(all.asOf);
    }
  });

  test('with a campaign, only customers who sent a referral in it are candidates', async () => {
    const plan = (await ok(api, SEED, { k: 2, campaign: 'seed-camp' }, 'admin')).seedAdvocates;
    expect(plan.candidates).toBe(2);
    expect(plan.picks).toEqual(plainGreedy(['b', 'e'], 2));
    expect(plan.totalReach).toBe(bruteForceBest(['b', 'e'], 2));
  });

  test('marketers may ask and never see an email; the service role may not', async () => {
    expect((await api.gql('marketer', SEED, { k: 2 })).errors).toBeUndefined();
    const withEmail = await api.gql('marketer', '{ seedAdvocates(k: 2) { picks { customer { email } } } }');
    expect(failure(withEmail).code).toBe('FORBIDDEN');
    expect(JSON.stringify(withEmail.data)).not.toContain('@seed.example.com');
    expect(failure(await api.gql('service', SEED, { k: 2 })).code).toBe('FORBIDDEN');
  });

  test('k out of range, a malformed or unknown campaign are errors naming the argument', async () => {
    expect(failure(await api.gql('admin', SEED, { k: 0 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'k' });
    expect(failure(await api.gql('admin', SEED, { k: 101 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'k' });
    expect(failure(await api.gql('admin', SEED, { k: 2, campaign: 'bad id!' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'campaignId' });
    expect(failure(await api.gql('admin', SEED, { k: 2, campaign: 'seed-no-such' }))).toMatchObject({ code: 'NOT_FOUND', field: 'campaignId' });
  });

  // Last: it adds a tie the expectations above do not know.
  test('a plan is a snapshot: a new tie shows, with a later asOf, once the refresh job has run', async () => {
    const before = (await ok(api, SEED, { k: 3 }, 'admin')).seedAdvocates;
    for (const friend of ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8']) {
      await ok(api, UPSERT, { input: { id: id(friend) } });
      await ok(api, CONNECT, { input: { customerId: id('e'), otherId: id(friend), idempotencyKey: key('k') } });
    }
    expect((await ok(api, SEED, { k: 3 }, 'admin')).seedAdvocates).toEqual(before);
    // The exclusive graph holds this test's data only, so every snapshot may be refreshed.
    expect(await refreshSnapshots(api.graph, snapshotStoreFor(api.store), createLogger('silent'))).toBeGreaterThan(0);
    const after = (await ok(api, SEED, { k: 3 }, 'admin')).seedAdvocates;
    expect(after.picks[0]).toMatchObject({ customer: { id: id('e') } });
    expect(Date.parse(after.asOf)).toBeGreaterThan(Date.parse(before.asOf));
  });
});
