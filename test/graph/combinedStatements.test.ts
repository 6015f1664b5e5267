import { part, runCombined } from '../../graph/batch/combined';
import { cypher, Graph } from '../../graph/neo4j';
import { testGraph, uniquePrefix } from '../support/services';

// graph/batch/combined.ts against Neo4j: parts run in order as consecutive statements would, and a part that
// finds nothing neither hides the others' rows nor stops later parts.

const CREATE = cypher('test.combinedCreate', 'UNWIND $ids AS id CREATE (:CombinedProbe {id: id})');
const FIND = cypher<{ id: string }>('test.combinedFind', 'UNWIND $ids AS id MATCH (p:CombinedProbe {id: id}) RETURN p.id AS id');
const COUNT = cypher<{ n: number }>('test.combinedCount', 'MATCH (p:CombinedProbe) WHERE p.id STARTS WITH $prefix RETURN count(p) AS n');
const CLEAN = cypher('test.combinedClean', 'MATCH (p:CombinedProbe) WHERE p.id STARTS WITH $prefix DELETE p');

describe('combined statements on Neo4j', () => {
  let graph: Graph;
  beforeAll(() => {
    graph = testGraph();
  });
  afterAll(() => graph.close());

  test('a later part sees what an earlier part wrote, and a part that finds nothing returns no rows without hiding the others', async () => {
    const prefix = uniquePrefix('combined');
    try {
      const rows = await graph.writeTransaction((tx) =>
        runCombined(tx, 'test.combined', {
          missing: part(FIND, { ids: [`${prefix}-absent`] }, ['id']),
          created: part(CREATE, { ids: [`${prefix}-a`, `${prefix}-b`] }, []),
          found: part(FIND, { ids: [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`] }, ['id']),
          counted: part(COUNT, { prefix }, ['n']),
        }),
      );
      expect(rows.missing).toEqual([]);
      expect(rows.found.map((row) => row.id).sort()).toEqual([`${prefix}-a`, `${prefix}-b`]);
      expect(rows.counted).toEqual([{ n: 2 }]);
    } finally {
      await graph.write(CLEAN, { prefix });
    }
  });
});
