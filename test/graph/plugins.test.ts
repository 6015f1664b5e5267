import { cypher } from '../../graph/neo4j';
import { testGraph, uniquePrefix } from '../support/services';

describe('Neo4j plugins', () => {
  const graph = testGraph();
  afterAll(() => graph.close());

  test('APOC Core answers apoc.version() over Bolt', async () => {
    const [row] = await graph.read(cypher('test.apoc', 'RETURN apoc.version() AS version, apoc.text.join(["a", "b"], "-") AS joined'));
    expect(row.version).toMatch(/^5\.26\./);
    expect(row.joined).toBe('a-b');
  });

  test('GDS PageRank streams scores over Bolt', async () => {
    const label = uniquePrefix('Plugin').replace(/-/g, '_');
    await graph.write(cypher('test.ring', `UNWIND range(1, 5) AS i MERGE (a:\`${label}\` {i: i}) MERGE (b:\`${label}\` {i: i % 5 + 1}) MERGE (a)-[:LINK]->(b)`));
    const rows = await graph.read(
      cypher(
        'test.pagerank',
        `CALL gds.graph.project.cypher($name, 'MATCH (n:\`${label}\`) RETURN id(n) AS id', 'MATCH (a:\`${label}\`)-[:LINK]->(b) RETURN id(a) AS source, id(b) AS target')
         YIELD graphName
         CALL gds.pageRank.stream(graphName) YIELD nodeId, score
         WITH graphName, collect(score) AS scores
         CALL gds.graph.drop(graphName) YIELD graphName AS dropped
         RETURN scores`,
      ),
      { name: label },
    );
    const scores = rows[0].scores as number[];
    expect(scores).toHaveLength(5);
    // A ring: every node has the same rank.
    for (const score of scores) expect(score).toBeCloseTo(scores[0], 6);
    await graph.write(cypher('test.cleanup', `MATCH (n:\`${label}\`) DETACH DELETE n`));
  });
});
