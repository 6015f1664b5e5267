import { computeBridges } from '../../../graph/analytics/bridges';
import { snapshotStoreFor } from '../../../server/cache/snapshots';
import { refreshSnapshots } from '../../../server/jobs/snapshotRefresh';
import { createLogger } from '../../../server/logger';
import { communityDefaultQuestions, isCommunityQuestion } from '../../../server/wholeGraphSnapshots';
import { communitySettings } from '../../../server/communitySettings';
import { loadConfig } from '../../../server/config';
import { CAMPAIGN, CONNECT, failure, FOLLOW, INVITE, iso, key, ok, PURCHASE, SIGNUP, UPSERT_ID } from '../../support/builders';
import { startExclusiveTestApi } from '../../support/exclusive';
import type { TestApi } from '../../support/services';

/**
 * Two planted dense circles, A (a1…a5) and B (b1…b5), each a clique of KNOWS, joined only through one bridge
 * customer x (who knows a1, a2, b1 and b2). a1 referred a3 (signed up, bought) and invited n1 (never signed up);
 * a2 follows a4 (the same pair as a KNOWS: one connection). s is alone.
 */
const A = ['a1', 'a2', 'a3', 'a4', 'a5'];
const B = ['b1', 'b2', 'b3', 'b4', 'b5'];
const CUSTOMERS = [...A, ...B, 'x', 'n1', 's'];
const clique = (names: string[]) => names.flatMap((a, i) => names.slice(i + 1).map((b) => [a, b] as [string, string]));
const KNOWS: Array<[string, string]> = [...clique(A), ...clique(B), ['x', 'a1'], ['x', 'a2'], ['x', 'b1'], ['x', 'b2']];
const FOLLOWS: Array<[string, string]> = [['a2', 'a4']];
const REFERRED: Array<[string, string]> = [['a1', 'a3'], ['a1', 'n1']];
/** Every tie, undirected, as the communities and bridges project them. */
const TIES = [...KNOWS, ...FOLLOWS, ...REFERRED];

const COMMUNITIES = `query($algorithm: CommunityAlgorithm!, $minSize: Int!, $limit: Int!, $via: [ConnectionKind!]) {
  communities(algorithm: $algorithm, minSize: $minSize, limit: $limit, via: $via) {
    asOf algorithm via customers communityCount singletons
    communities {
      id size internalConnections externalConnections density
      topAdvocates { customer { id } convertedReferrals referralsSent }
      conversion { referrals signedUp { count } converted { count } kFactor }
      neighbours { communityId connections }
    }
  }
}`;
/** One aliased `customer` field per id: each customer's community. */
const membershipQuery = (count: number) =>
  `query($algorithm: CommunityAlgorithm!, ${Array.from({ length: count }, (_, i) => `$id${i}: ID!`).join(', ')}) {
  ${Array.from({ length: count }, (_, i) => `c${i}: customer(id: $id${i}) { id community(algorithm: $algorithm) { id size neighbours { communityId connections } } }`).join('\n  ')}
}`;
const BRIDGES = `query($limit: Int) {
  bridges(limit: $limit) { asOf customers samplingSize samplingSeed entries { rank betweenness customer { id } joins { communityId neighbours own } } }
}`;

/** Union-find over the ties: the components WCC must give. */
function components(nodes: string[], edges: Array<[string, string]>): string[][] {
  const parent = new Map(nodes.map((n) => [n, n]));
  const find = (n: string): string => (parent.get(n) === n ? n : find(parent.get(n)!));
  for (const [a, b] of edges) parent.set(find(a), find(b));
  const groups = new Map<string, string[]>();
  for (const n of nodes) groups.set(find(n), [...(groups.get(find(n)) ?? []), n]);
  return [...groups.values()].map((g) => g.sort()).sort((a, b) => b.length - a.length || (a[0] < b[0] ? -1 : 1));
}

/** Brandes' betweenness on the undirected, unweighted graph, each unordered pair counted once. */
function brandes(nodes: string[], edges: Array<[string, string]>): Map<string, number> {
  const adjacent = new Map(nodes.map((n) => [n, new Set<string>()]));
  for (const [a, b] of edges) {
    adjacent.get(a)!.add(b);
    adjacent.get(b)!.add(a);
  }
  const score = new Map(nodes.map((n) => [n, 0]));
  for (const source of nodes) {
    const stack: string[] = [];
    const predecessors = new Map(nodes.map((n) => [n, [] as string[]]));
    const paths = new Map(nodes.map((n) => [n, 0]));
    const distance = new Map(nodes.map((n) => [n, -1]));
    paths.set(source, 1);
    distance.set(source, 0);
    const queue = [source];
    while (queue.length > 0) {
      const v = queue.shift()!;
      stack.push(v);
      for (const w of adjacent.get(v)!) {
        if (distance.get(w)! < 0) {
          distance.set(w, distance.get(v)! + 1);
          queue.push(w);
        }
        if (distance.get(w) === distance.get(v)! + 1) {
          paths.set(w, paths.get(w)! + paths.get(v)!);
          predecessors.get(w)!.push(v);
        }
      }
    }
    const dependency = new Map(nodes.map((n) => [n, 0]));
    while (stack.length > 0) {
      const w = stack.pop()!;
      for (const v of predecessors.get(w)!) dependency.set(v, dependency.get(v)! + (paths.get(v)! / paths.get(w)!) * (1 + dependency.get(w)!));
      if (w !== source) score.set(w, score.get(w)! + dependency.get(w)!);
    }
  }
  return new Map([...score.entries()].map(([n, s]) => [n, s / 2]));
}

/** Distinct tied pairs inside a member set and across its boundary, by definition. */
function connectionsOf(members: Set<string>) {
  const pairs = new Set(TIES.map(([a, b]) => [a, b].sort().join('|')));
  let internal = 0;
  let external = 0;
  for (const pair of pairs) {
    const [a, b] = pair.split('|');
    if (members.has(a) && members.has(b)) internal += 1;
    else if (members.has(a) || members.has(b)) external += 1;
  }
  return { internal, external };
}

describe('communities and bridges on two planted circles joined by one bridge customer', () => {
  let api: TestApi;
  const id = (name: string) => `cm-${name}`;
  const name = (customerId: string) => customerId.slice(3);
  const refresh = () =>
    refreshSnapshots(api.graph, snapshotStoreFor(api.store), createLogger('silent'), {
      include: isCommunityQuestion,
      defaults: communityDefaultQuestions(communitySettings(loadConfig({}))),
    });

  beforeAll(async () => {
    api = await startExclusiveTestApi();
    for (const customer of CUSTOMERS) await ok(api, UPSERT_ID, { input: { id: id(customer) } });
    for (const [a, b] of KNOWS) await ok(api, CONNECT, { input: { customerId: id(a), otherId: id(b), idempotencyKey: key('k') } });
    for (const [a, b] of FOLLOWS) await ok(api, FOLLOW, { input: { followerId: id(a), followedId: id(b), idempotencyKey: key('f') } });
    await ok(api, CAMPAIGN, { input: { id: id('camp'), name: 'Circles', startsAt: iso(1, 0), endsAt: '2099-01-01T00:00:00Z', attributionWindowDays: 30 } });
    for (const [a, b] of REFERRED) {
      await ok(api, INVITE, { input: { referrerId: id(a), campaignId: id('camp'), invitee: { id: id(b) }, channel: 'email', at: iso(2), idempotencyKey: key('i') } });
    }
    await ok(api, SIGNUP, { input: { customerId: id('a3'), at: iso(3), idempotencyKey: key('s') } });
    await ok(api, PURCHASE, { input: { customerId: id('a3'), productId: id('p'), orderId: id('o1'), amount: 10, currency: 'EUR', at: iso(4), idempotencyKey: key('p') } });
    await refresh();
  }, 120_000);
  afterAll(async () => {
    await api?.close();
  });

  /** The customers with their communities, in the order of `ids` ({ customers } to read like a list field). */
  const membership = async (ids: string[], algorithm: string) => {
    const variables = Object.fromEntries(ids.map((customerId, i) => [`id${i}`, customerId]));
    const data = await ok(api, membershipQuery(ids.length), { algorithm, ...variables }, 'admin');
    return { customers: ids.map((_, i) => data[`c${i}`]) };
  };

  test.each(['LEIDEN', 'LOUVAIN'])('%s finds the two planted circles', async (algorithm) => {
    const { customers } = await membership(CUSTOMERS.map(id), algorithm);
    const communityOf = new Map<string, string>(customers.map((c: { id: string; community: { id: string } }) => [name(c.id), c.community.id]));
    expect(new Set(A.map((n) => communityOf.get(n))).size).toBe(1);
    expect(new Set(B.map((n) => communityOf.get(n))).size).toBe(1);
    expect(communityOf.get('a1')).not.toBe(communityOf.get('b1'));
    expect([communityOf.get('a1'), communityOf.get('b1')]).toContain(communityOf.get('x'));
    // The id names the smallest member id.
    expect(communityOf.get('b1')).toBe(`${algorithm.toLowerCase()}:${id('b1')}`);
  });

  test('WCC gives the connected components a union-find finds, and counts the customer alone as a singleton', async () => {
    const expected = components(CUSTOMERS, TIES).filter((group) => group.length >= 2);
    const listed = (await ok(api, COMMUNITIES, { algorithm: 'WCC', minSize: 2, limit: 100 }, 'admin')).communities;
    expect(listed.communities.map((c: { id: string; size: number }) => [c.id, c.size])).toEqual(expected.map((group) => [`wcc:${id(group[0])}`, group.length]));
    expect(listed).toMatchObject({ algorithm: 'WCC', customers: CUSTOMERS.length, singletons: 1, communityCount: components(CUSTOMERS, TIES).length });
    const { customers } = await membership([id('s')], 'WCC');
    expect(customers[0].community).toEqual({ id: `wcc:${id('s')}`, size: 1, neighbours: [] });
  });

  test('size, density and internal and external connections follow their definitions', async () => {
    const { communities: snapshot } = await ok(api, COMMUNITIES, { algorithm: 'LEIDEN', minSize: 2, limit: 100 }, 'admin');
    const { customers } = await membership(CUSTOMERS.map(id), 'LEIDEN');
    const members = new Map<string, Set<string>>();
    for (const c of customers) members.set(c.community.id, new Set([...(members.get(c.community.id) ?? []), name(c.id)]));
    // Communities of one (s) are counted, not listed.
    expect(snapshot.communities).toHaveLength([...members.values()].filter((set) => set.size >= 2).length);
    expect(snapshot.singletons).toBe([...members.values()].filter((set) => set.size === 1).length);
    for (const community of snapshot.communities) {
      const set = members.get(community.id)!;
      const { internal, external } = connectionsOf(set);
      expect(community).toMatchObject({ size: set.size, internalConnections: internal, externalConnections: external });
      expect(community.density).toBeCloseTo(internal / ((set.size * (set.size - 1)) / 2), 6);
      const neighbourTotal = community.neighbours.reduce((total: number, n: { connections: number }) => total + n.connections, 0);
      expect(neighbourTotal).toBe(external);
    }
    expect(snapshot.via).toEqual(['FOLLOWS', 'KNOWS', 'REFERRED']);
  });

  test("a community's advocates and referral funnel count the referrals inside it", async () => {
    const { communities: snapshot } = await ok(api, COMMUNITIES, { algorithm: 'LEIDEN', minSize: 2, limit: 100 }, 'admin');
    const { customers } = await membership([id('a1'), id('n1')], 'LEIDEN');
    const circleA = snapshot.communities.find((c: { id: string }) => c.id === customers[0].community.id);
    expect(circleA.topAdvocates[0]).toEqual({ customer: { id: id('a1') }, convertedReferrals: 1, referralsSent: 2 });
    const inside = REFERRED.filter(([, invitee]) => invitee !== 'n1' || customers[1].community.id === customers[0].community.id).length;
    expect(circleA.conversion).toEqual({ referrals: inside, signedUp: { count: 1 }, converted: { count: 1 }, kFactor: expect.any(Number) });
    expect(circleA.conversion.kFactor).toBeCloseTo(inside * (1 / inside), 6); // invites per referrer × conversion rate
  });

  test('Customer.community names its neighbouring communities with the connections to each', async () => {
    const { customers } = await membership([id('a3'), id('b3')], 'LEIDEN');
    const [ofA, ofB] = customers.map((c: { community: { id: string; neighbours: Array<{ communityId: string }> } }) => c.community);
    expect(ofA.neighbours.map((n: { communityId: string }) => n.communityId)).toContain(ofB.id);
    expect(ofB.neighbours.map((n: { communityId: string }) => n.communityId)).toContain(ofA.id);
  });

  test('the bridge customer ranks first by betweenness, which matches Brandes computed here', async () => {
    const { bridges } = await ok(api, BRIDGES, { limit: 100 }, 'admin');
    const expected = brandes(CUSTOMERS, TIES);
    expect(bridges.entries[0].customer.id).toBe(id('x'));
    expect(bridges).toMatchObject({ customers: CUSTOMERS.length, samplingSize: null, samplingSeed: null });
    for (const entry of bridges.entries) expect(entry.betweenness).toBeCloseTo(expected.get(name(entry.customer.id))!, 6);
    const positive = [...expected.values()].filter((score) => score > 0).length;
    expect(bridges.entries).toHaveLength(positive);
    expect(bridges.entries.map((entry: { rank: number }) => entry.rank)).toEqual(bridges.entries.map((_: unknown, index: number) => index + 1));
  });

  test('a bridge joins both circles: its own community and the other one its neighbours belong to', async () => {
    const { bridges } = await ok(api, BRIDGES, { limit: 1 }, 'admin');
    const { customers } = await membership([id('a1'), id('b1'), id('x')], 'LEIDEN');
    const [circleA, circleB, own] = customers.map((c: { community: { id: string } }) => c.community.id);
    const joins = bridges.entries[0].joins;
    expect(joins[0]).toMatchObject({ communityId: own, own: true });
    expect(new Set(joins.map((j: { communityId: string }) => j.communityId))).toEqual(new Set([circleA, circleB]));
    expect(joins.reduce((total: number, j: { neighbours: number }) => total + j.neighbours, 0)).toBe(4);
  });

  test('answers come from the snapshot with its asOf until the next refresh', async () => {
    const before = await ok(api, COMMUNITIES, { algorithm: 'LEIDEN', minSize: 2, limit: 100 }, 'admin');
    await ok(api, UPSERT_ID, { input: { id: id('late') } });
    const after = await ok(api, COMMUNITIES, { algorithm: 'LEIDEN', minSize: 2, limit: 100 }, 'admin');
    expect(after).toEqual(before);
    const { customers } = await membership([id('late')], 'LEIDEN');
    expect(customers[0].community).toBeNull();
    await refresh();
    const refreshed = await ok(api, COMMUNITIES, { algorithm: 'LEIDEN', minSize: 2, limit: 100 }, 'admin');
    expect(refreshed.communities.customers).toBe(CUSTOMERS.length + 1);
    expect(Date.parse(refreshed.communities.asOf)).toBeGreaterThan(Date.parse(before.communities.asOf));
    // The refresh wrote the other property slot; the same members are still grouped the same way.
    expect(refreshed.communities.communities.map((c: { id: string }) => c.id)).toEqual(before.communities.communities.map((c: { id: string }) => c.id));
    const again = await membership([id('late'), id('a1')], 'LEIDEN');
    expect(again.customers[0].community).toMatchObject({ id: `leiden:${id('late')}`, size: 1 });
  });

  test('minSize and limit cut the list; via chooses the kinds of tie', async () => {
    const big = await ok(api, COMMUNITIES, { algorithm: 'WCC', minSize: 3, limit: 1, via: ['REFERRED'] }, 'admin');
    expect(big.communities.via).toEqual(['REFERRED']);
    expect(big.communities.communities).toEqual([expect.objectContaining({ id: `wcc:${id('a1')}`, size: 3, internalConnections: 2, density: expect.closeTo(2 / 3, 6) })]);
  });

  test('above BRIDGES_EXACT_MAX_CUSTOMERS betweenness is sampled, the answer states the sampling, and a seed repeats it', async () => {
    const sampling = { exactMaxCustomers: 5, samplingSize: 8, samplingSeed: 7 };
    const first = await computeBridges(api.graph, sampling);
    expect(first).toMatchObject({ samplingSize: 8, samplingSeed: 7 });
    expect(first.bridges.length).toBeGreaterThan(0);
    // The same sources are drawn again; the sums may differ in the last bits (GDS adds them in parallel).
    const again = await computeBridges(api.graph, sampling);
    const scores = new Map(again.bridges.map((bridge) => [bridge.customerId, bridge.betweenness]));
    expect(new Set(scores.keys())).toEqual(new Set(first.bridges.map((bridge) => bridge.customerId)));
    for (const bridge of first.bridges) expect(scores.get(bridge.customerId)).toBeCloseTo(bridge.betweenness, 6);
  });

  test('bad input is refused naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ algorithm: 'LEIDEN', minSize: 1, limit: 10 }, 'minSize'],
      [{ algorithm: 'LEIDEN', minSize: 2, limit: 0 }, 'limit'],
      [{ algorithm: 'LEIDEN', minSize: 2, limit: 101 }, 'limit'],
      [{ algorithm: 'LEIDEN', minSize: 2, limit: 10, via: [] }, 'via'],
    ];
    for (const [variables, field] of cases) expect(failure(await api.gql('community', COMMUNITIES, variables))).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(failure(await api.gql('community', BRIDGES, { limit: 0 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'limit' });
  });

  test('community managers, marketers and admins may read communities; the service role may not', async () => {
    for (const role of ['community', 'marketer', 'admin'] as const) expect((await api.gql(role, BRIDGES, { limit: 1 })).errors).toBeUndefined();
    expect(failure(await api.gql('service', BRIDGES, { limit: 1 })).code).toBe('FORBIDDEN');
    expect(failure(await api.gql('service', COMMUNITIES, { algorithm: 'LEIDEN', minSize: 2, limit: 1 })).code).toBe('FORBIDDEN');
  });
});
