import { PAGERANK_SETTINGS } from '../../../graph/analytics/influence';
import { CAMPAIGN, INVITE, iso, key, ok, UPSERT } from '../../support/builders';
import { projectionsLeft } from '../../support/projections';
import { startTestApi, TestApi, uniquePrefix } from '../../support/services';

const TOP = `
  query($by: InfluenceMeasure!, $campaign: ID) {
    topInfluencers(by: $by, campaignId: $campaign, limit: 10) {
      rank score
      customer { id }
    }
  }
`;

const REFERRED: Array<[string, string]> = [['a', 'b'], ['b', 'c'], ['a', 'd'], ['e', 'a']];
const KNOWS: Array<[string, string]> = [['c', 'd'], ['d', 'e'], ['a', 'c']];
const FOLLOWS: Array<[string, string]> = [['c', 'a'], ['d', 'b'], ['b', 'e']];
const NODES = ['a', 'b', 'c', 'd', 'e'];

/**
 * PageRank written here from its definition, on the same orientation the service documents:
 * rank flows invitee→referrer, follower→followed, and both ways along KNOWS; no teleport of dangling mass.
 */
function independentPageRank(damping: number): Map<string, number> {
  const edges: Array<[string, string]> = [
    ...REFERRED.map(([referrer, invitee]) => [invitee, referrer] as [string, string]),
    ...FOLLOWS,
    ...KNOWS.flatMap(([x, y]) => [[x, y], [y, x]] as Array<[string, string]>),
  ];
  const outDegree = new Map(NODES.map((n) => [n, edges.filter(([source]) => source === n).length]));
  let score = new Map(NODES.map((n) => [n, 1 - damping]));
  for (let iteration = 0; iteration < 1000; iteration++) {
    const next = new Map(NODES.map((n) => [n, 1 - damping]));
    for (const [source, target] of edges) next.set(target, next.get(target)! + (damping * score.get(source)!) / outDegree.get(source)!);
    score = next;
  }
  return score;
}

describe('topInfluencers by PageRank and social reach', () => {
  let api: TestApi;
  const p = uniquePrefix('influence');
  const id = (name: string) => `${p}-${name}`;
  const campaign = id('camp');

  beforeAll(async () => {
    api = await startTestApi();
    await ok(api, CAMPAIGN, { input: { id: campaign, name: 'PR', startsAt: iso(1, 0), endsAt: '2099-01-01T00:00:00Z' } });
    for (const node of NODES) await ok(api, UPSERT, { input: { id: id(node) } });
    for (const [from, to] of REFERRED) {
      await ok(api, INVITE, { input: { referrerId: id(from), campaignId: campaign, invitee: { id: id(to) }, channel: 'email', at: iso(2), idempotencyKey: key('i') } });
    }
    for (const [a, b] of KNOWS) {
      await ok(api, `
        mutation($input: ConnectCustomersInput!) {
          connectCustomers(input: $input) { strength }
        }
      `, { input: { customerId: id(a), otherId: id(b), idempotencyKey: key('k') } });
    }
    for (const [a, b] of FOLLOWS) {
      await ok(api, `
        mutation($input: FollowInput!) {
          follow(input: $input) {
            follower { id }
          }
        }
      `, { input: { followerId: id(a), followedId: id(b), idempotencyKey: key('f') } });
    }
  });
  afterAll(() => api.close());

  test('PAGERANK agrees with an independent PageRank within 1e-4', async () => {
    const expected = independentPageRank(PAGERANK_SETTINGS.dampingFactor);
    const ranking = (await ok(api, TOP, { by: 'PAGERANK', campaign })).topInfluencers as Array<{ rank: number; score: number; customer: { id: string } }>;
    // Only customers who referred in the campaign are ranked: a, b and e.
    expect(ranking.map((r) => r.customer.id).sort()).toEqual([id('a'), id('b'), id('e')]);
    for (const entry of ranking) expect(entry.score).toBeCloseTo(expected.get(entry.customer.id.slice(p.length + 1))!, 4);
    const scores = ranking.map((r) => r.score);
    expect([...scores].sort((x, y) => y - x)).toEqual(scores);
  });

  test('SOCIAL_REACH counts distinct customers within two hops over KNOWS and FOLLOWS', async () => {
    const ranking = (await ok(api, TOP, { by: 'SOCIAL_REACH', campaign })).topInfluencers;
    // Undirected KNOWS+FOLLOWS: a–c, a–c(follow), c–d, d–e, d–b, b–e. Two hops from a: c, d → 2; from b: d, e, c → 3; from e: d, b, c → 3.
    expect(ranking).toEqual([
      { rank: 1, score: 3, customer: { id: id('b') } },
      { rank: 2, score: 3, customer: { id: id('e') } },
      { rank: 3, score: 2, customer: { id: id('a') } },
    ]);
  });

  test('influencerReach counts distinct customers within 1, 2 and 3 social hops', async () => {
    // Undirected KNOWS+FOLLOWS from a: c at 1 hop; d at 2; b and e at 3.
    const reach = await ok(api, `
      query($id: ID!) {
        influencerReach(customerId: $id) {
          socialReach { hops customers }
        }
      }
    `, { id: id('a') });
    expect(reach.influencerReach.socialReach).toEqual([{ hops: 1, customers: 1 }, { hops: 2, customers: 2 }, { hops: 3, customers: 4 }]);
  });

  test('PAGERANK for a campaign nobody referred in is an empty ranking on every call, not an internal error', async () => {
    const quiet = id('quiet');
    await ok(api, CAMPAIGN, { input: { id: quiet, name: 'Nobody referred', startsAt: iso(1, 0), endsAt: '2099-01-01T00:00:00Z' } });
    for (let call = 0; call < 2; call++) expect((await ok(api, TOP, { by: 'PAGERANK', campaign: quiet })).topInfluencers).toEqual([]);
  });

  test('limit is bounded and PageRank leaves no projection behind', async () => {
    const tooMany = await api.gql('marketer', `
      query {
        topInfluencers(by: PAGERANK, limit: 1000) { rank }
      }
    `);
    expect(tooMany.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'limit' });
    expect(await projectionsLeft(api.graph, 'pagerank')).toBe(0);
  });
});
