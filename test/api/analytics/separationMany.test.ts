import { seededRandom } from '../../../graph/synthetic';
import { failure } from '../../support/builders';
import { bfsDistances, EGO_FACEBOOK, importEgoFacebook, readAdjacency } from '../../support/egoFacebook';
import { startTestApi, TestApi, uniquePrefix } from '../../support/services';

const MANY = `query($from: ID!, $to: [ID!]!, $via: [ConnectionKind!], $maxHops: Int) {
  degreesOfSeparationMany(from: $from, to: $to, via: $via, maxHops: $maxHops) { degrees path { id } }
}`;

type Separation = { degrees: number | null; path: Array<{ id: string }> };

describe('degreesOfSeparationMany on ego-Facebook, against a breadth-first search computed here', () => {
  const prefix = `${uniquePrefix('fbm')}-`;
  const adjacency = readAdjacency(EGO_FACEBOOK, prefix);
  const random = seededRandom(20261129);
  const pick = () => adjacency.ids[Math.floor(random() * adjacency.ids.length)];
  const hundredTargets = () => Array.from({ length: 100 }, pick);
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
    await importEgoFacebook(api.graph, prefix);
  });
  afterAll(() => api.close());

  /** Every answer in input order: exact BFS degrees, and a path from `from` to the target along real edges. */
  function mismatches(from: string, to: string[], maxHops: number, answers: Separation[] | undefined): string[] {
    if (!answers || answers.length !== to.length) return [`${from}: expected ${to.length} answers, got ${JSON.stringify(answers)}`];
    const distances = bfsDistances(adjacency, from, maxHops);
    const found: string[] = [];
    to.forEach((target, index) => {
      const expected = distances.get(target) ?? null;
      const { degrees, path } = answers[index];
      const ids = path.map((customer) => customer.id);
      if (degrees !== expected) found.push(`${from}→${target} (to[${index}]): expected ${expected}, got ${degrees}`);
      else if (expected === null && ids.length > 0) found.push(`${from}→${target}: not connected, yet a path ${ids.join(',')}`);
      else if (expected !== null) {
        const valid = ids.length === expected + 1 && ids[0] === from && ids[ids.length - 1] === target
          && ids.every((id, step) => step === 0 || adjacency.neighbours.get(ids[step - 1])!.includes(id));
        if (!valid) found.push(`${from}→${target}: ${ids.join(',')} is not a shortest path of ${expected} hops`);
      }
    });
    return found;
  }

  test('each of 100 targets gets its exact BFS distance and a valid shortest path, for 8 seeded sources', async () => {
    const found: string[] = [];
    for (let i = 0; i < 8; i++) {
      const from = pick();
      const to = hundredTargets();
      const maxHops = i % 2 === 0 ? 10 : 3;
      const body = await api.gql('marketer', MANY, { from, to, via: ['KNOWS'], maxHops });
      found.push(...mismatches(from, to, maxHops, body.data?.degreesOfSeparationMany ?? undefined));
      if (body.errors) found.push(JSON.stringify(body.errors));
    }
    expect(found).toEqual([]);
  });

  test('answers follow the input order, repeat for a repeated target, and give 0 for the source itself', async () => {
    const from = pick();
    const [a, b] = [pick(), pick()];
    const to = [b, from, a, b];
    const body = await api.gql('community', MANY, { from, to, via: ['KNOWS', 'REFERRED'] });
    const answers: Separation[] = body.data?.degreesOfSeparationMany;
    expect(mismatches(from, to, 6, answers)).toEqual([]);
    expect(answers[1]).toEqual({ degrees: 0, path: [{ id: from }] });
    expect(answers[3]).toEqual(answers[0]);
  });

  test('a list naming only the source answers 0 for each, and a target beyond maxHops gets no degrees and no path', async () => {
    const from = pick();
    const onlySource = (await api.gql('marketer', MANY, { from, to: [from, from] })).data?.degreesOfSeparationMany as Separation[];
    expect(onlySource).toEqual([{ degrees: 0, path: [{ id: from }] }, { degrees: 0, path: [{ id: from }] }]);
    const distances = bfsDistances(adjacency, from, 10);
    const far = adjacency.ids.find((id) => (distances.get(id) ?? 0) >= 3)!;
    const near = adjacency.ids.find((id) => distances.get(id) === 1)!;
    const answers = (await api.gql('marketer', MANY, { from, to: [far, near], via: ['KNOWS'], maxHops: 2 })).data?.degreesOfSeparationMany as Separation[];
    expect(answers).toEqual([{ degrees: null, path: [] }, { degrees: 1, path: [{ id: from }, { id: near }] }]);
  });

  test('agrees with degreesOfSeparation called once per target', async () => {
    const from = pick();
    const to = Array.from({ length: 10 }, pick);
    const many = (await api.gql('marketer', MANY, { from, to, via: ['KNOWS'] })).data?.degreesOfSeparationMany as Separation[];
    for (const [index, target] of to.entries()) {
      const single = await api.gql('marketer', `
        query($f: ID!, $t: ID!) {
          degreesOfSeparation(from: $f, to: $t, via: [KNOWS]) { degrees }
        }
      `, { f: from, t: target });
      expect({ target, degrees: many[index].degrees }).toEqual({ target, degrees: single.data?.degreesOfSeparation.degrees });
    }
  });

  test('bad input is refused naming the field: empty or oversized lists, malformed ids, via and maxHops', async () => {
    const from = pick();
    expect(failure(await api.gql('community', MANY, { from, to: [] }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    expect(failure(await api.gql('community', MANY, { from, to: Array.from({ length: 101 }, pick) }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    expect(failure(await api.gql('community', MANY, { from, to: [pick(), pick(), 'not an id!'] }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to[2]' });
    expect(failure(await api.gql('community', MANY, { from: '', to: [pick()] }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
    expect(failure(await api.gql('community', MANY, { from, to: [pick()], via: [] }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'via' });
    expect(failure(await api.gql('community', MANY, { from, to: [pick()], maxHops: 11 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'maxHops' });
  });

  test('an unknown source is NOT_FOUND naming from, an unknown target NOT_FOUND naming its index', async () => {
    const from = pick();
    expect(failure(await api.gql('community', MANY, { from: `${prefix}nobody`, to: [pick()] }))).toMatchObject({ code: 'NOT_FOUND', field: 'from' });
    expect(failure(await api.gql('community', MANY, { from, to: [pick(), pick(), pick(), `${prefix}nobody`, pick()] }))).toMatchObject({ code: 'NOT_FOUND', field: 'to[3]' });
  });
});
