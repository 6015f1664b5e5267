import { seededRandom } from '../../../graph/synthetic';
import { failure } from '../../support/builders';
import { bfsDistances, EGO_FACEBOOK, importEgoFacebook, readAdjacency } from '../../support/egoFacebook';
import { startTestApi, TestApi, uniquePrefix } from '../../support/services';

const SEPARATION = `
  query($from: ID!, $to: ID!, $via: [ConnectionKind!], $maxHops: Int) {
    degreesOfSeparation(from: $from, to: $to, via: $via, maxHops: $maxHops) {
      degrees
      path { id }
    }
  }
`;
const PROFILE = `
  query($id: ID!, $maxHops: Int) {
    separationProfile(customerId: $id, via: [KNOWS], maxHops: $maxHops) { hops customers }
  }
`;

describe('degrees of separation on ego-Facebook, against a breadth-first search computed here', () => {
  const prefix = `${uniquePrefix('fb')}-`;
  const adjacency = readAdjacency(EGO_FACEBOOK, prefix);
  const random = seededRandom(20261128);
  const pick = () => adjacency.ids[Math.floor(random() * adjacency.ids.length)];
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
    await importEgoFacebook(api.graph, prefix);
  });
  afterAll(() => api.close());

  test('the import holds every person and friendship of the file', () => {
    expect(adjacency.ids).toHaveLength(4039);
    const edges = [...adjacency.neighbours.values()].reduce((sum, list) => sum + list.length, 0) / 2;
    expect(edges).toBe(88234);
  });

  test('degreesOfSeparation equals BFS distance for 300 seeded random pairs, with a valid shortest path', async () => {
    const via = [['KNOWS'], ['KNOWS', 'REFERRED'], ['KNOWS', 'FOLLOWS', 'REFERRED']];
    const mismatches: string[] = [];
    for (let i = 0; i < 300; i++) {
      const from = pick();
      const to = pick();
      const expected = bfsDistances(adjacency, from).get(to) ?? null;
      const body = await api.gql('marketer', SEPARATION, { from, to, via: via[i % via.length], maxHops: 10 });
      const result = body.data?.degreesOfSeparation;
      if (!result || result.degrees !== expected) {
        mismatches.push(`${from}→${to}: expected ${expected}, got ${JSON.stringify(result ?? body.errors)}`);
        continue;
      }
      const path = result.path.map((c: { id: string }) => c.id);
      expect(path[0]).toBe(from);
      expect(path[path.length - 1]).toBe(to);
      expect(path).toHaveLength(expected === null ? 0 : expected + 1);
      for (let step = 1; step < path.length; step++) expect(adjacency.neighbours.get(path[step - 1])).toContain(path[step]);
    }
    expect(mismatches).toEqual([]);
  });

  test('degrees is null beyond maxHops, 0 for the same customer, and unknown ids are NOT_FOUND', async () => {
    const from = pick();
    const distances = bfsDistances(adjacency, from);
    const far = [...distances.entries()].find(([, hops]) => hops >= 3)![0];
    const limited = await api.gql('community', SEPARATION, { from, to: far, via: ['KNOWS'], maxHops: 2 });
    expect(limited.data?.degreesOfSeparation).toEqual({ degrees: null, path: [] });
    const same = await api.gql('community', SEPARATION, { from, to: from });
    expect(same.data?.degreesOfSeparation).toEqual({ degrees: 0, path: [{ id: from }] });
    expect(failure(await api.gql('community', SEPARATION, { from, to: `${prefix}nobody` }))).toMatchObject({ code: 'NOT_FOUND', field: 'to' });
    expect(failure(await api.gql('community', SEPARATION, { from, to: far, maxHops: 11 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'maxHops' });
    expect(failure(await api.gql('community', SEPARATION, { from, to: far, via: [] }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'via' });
  });

  test('separationProfile equals BFS layer sizes for 100 seeded random customers', async () => {
    const mismatches: string[] = [];
    for (let i = 0; i < 100; i++) {
      const id = pick();
      const maxHops = 1 + (i % 4);
      const layers = new Map<number, number>();
      for (const hops of bfsDistances(adjacency, id, maxHops).values()) if (hops > 0) layers.set(hops, (layers.get(hops) ?? 0) + 1);
      const expected = Array.from({ length: maxHops }, (_, h) => ({ hops: h + 1, customers: layers.get(h + 1) ?? 0 }));
      const body = await api.gql('marketer', PROFILE, { id, maxHops });
      if (JSON.stringify(body.data?.separationProfile) !== JSON.stringify(expected)) {
        mismatches.push(`${id} (maxHops ${maxHops}): expected ${JSON.stringify(expected)}, got ${JSON.stringify(body.data?.separationProfile ?? body.errors)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
