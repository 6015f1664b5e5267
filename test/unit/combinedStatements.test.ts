import { part, runCombined, runSteps, step } from '../../graph/batch/combined';
import { cypher, Params, Tx } from '../../graph/neo4j';

// graph/batch/combined.ts without a database: what is sent for a set of parts, and how rows come back.

const READ = cypher<{ index: number; name: string }>('test.read', 'UNWIND $rows AS row RETURN row.index AS index, row.name AS name');
const COUNT = cypher<{ n: number }>('test.count', 'UNWIND $ids AS id RETURN count(id) AS n');
const WRITE = cypher('test.write', 'UNWIND $rows AS row CREATE (:Thing {id: row.id})');

/** A Tx that records what it is sent and answers with `answer`. */
function recordingTx(answer: (text: string, params: Params) => object[]) {
  const sent: Array<{ name: string; text: string; params: Params }> = [];
  const tx: Tx = {
    run: async <R extends object>(query: { name: string; text: string }, params: Params = {}) => {
      sent.push({ name: query.name, text: query.text, params });
      return answer(query.text, params) as R[];
    },
  };
  return { tx, sent };
}

describe('combined statements', () => {
  test('parts go as one statement, in order, each in its own subquery with its parameters renamed', async () => {
    const { tx, sent } = recordingTx(() => [{ reads: [{ index: 1, name: 'a' }], writes: undefined, counts: [{ n: 2 }] }]);
    const rows = await runCombined(tx, 'test.combined', {
      writes: part(WRITE, { rows: [{ id: 'x' }] }, []),
      reads: part(READ, { rows: [{ index: 1, name: 'a' }] }, ['index', 'name']),
      counts: part(COUNT, { ids: ['p', 'q'] }, ['n']),
    });
    expect(sent).toHaveLength(1);
    expect(sent[0].name).toBe('test.combined');
    expect(sent[0].params).toEqual({ writes_rows: [{ id: 'x' }], reads_rows: [{ index: 1, name: 'a' }], counts_ids: ['p', 'q'] });
    const { text } = sent[0];
    expect(text.indexOf('$writes_rows')).toBeLessThan(text.indexOf('$reads_rows'));
    expect(text.indexOf('$reads_rows')).toBeLessThan(text.indexOf('$counts_ids'));
    expect(text).toContain('RETURN collect({index: index, name: name}) AS reads');
    expect(text).not.toMatch(/\$rows|\$ids/);
    expect(rows).toEqual({ writes: [], reads: [{ index: 1, name: 'a' }], counts: [{ n: 2 }] });
  });

  test('a part left undefined sends nothing; a single part runs as its own statement; no part, no statement', async () => {
    const { tx, sent } = recordingTx(() => [{ index: 3, name: 'c' }]);
    const one = await runCombined(tx, 'test.combined', { reads: part(READ, { rows: [{ index: 3, name: 'c' }] }, ['index', 'name']), counts: undefined });
    expect(sent.map((statement) => statement.name)).toEqual(['test.read']);
    expect(sent[0].params).toEqual({ rows: [{ index: 3, name: 'c' }] });
    expect(one).toEqual({ reads: [{ index: 3, name: 'c' }], counts: [] });
    expect(await runCombined(tx, 'test.combined', { counts: undefined })).toEqual({ counts: [] });
    expect(sent).toHaveLength(1);
  });

  test('the text of a step is the same whatever its rows, so Neo4j plans it once', async () => {
    const { tx, sent } = recordingTx(() => [{ s0_reads: [], s0_counts: [{ n: 0 }] }]);
    const send = (rows: object[], ids: string[]) =>
      runSteps(tx, 'test.step', [step({ reads: part(READ, { rows }, ['index', 'name']), counts: part(COUNT, { ids }, ['n']) }, ({ reads, counts }) => ({ reads, n: counts[0].n }))]);
    await send([], []);
    await send([{ index: 1, name: 'a' }, { index: 2, name: 'b' }], ['p']);
    expect(sent).toHaveLength(2);
    expect(sent[1].text).toBe(sent[0].text);
  });

  test('steps sent together each finish with their own rows', async () => {
    const { tx } = recordingTx(() => [{ s0_reads: [{ index: 7, name: 'g' }], s1_counts: [{ n: 4 }] }]);
    const [names, count] = await runSteps(tx, 'test.steps', [
      step({ reads: part(READ, { rows: [{ index: 7, name: 'g' }] }, ['index', 'name']) }, ({ reads }) => reads.map((row) => row.name)),
      step({ counts: part(COUNT, { ids: ['a', 'b', 'c', 'd'] }, ['n']) }, ({ counts }) => counts[0].n),
    ]);
    expect(names).toEqual(['g']);
    expect(count).toBe(4);
  });
});
