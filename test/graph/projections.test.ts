import { cypher } from '../../graph/neo4j';
import { dropStaleProjections, processProjectionPrefix, projectionName } from '../../graph/projections';
import { testGraph } from '../support/services';

const PROJECT = cypher<{ graphName: string }>(
  'test.projectOne',
  `CALL gds.graph.project($name, 'Customer', '*') YIELD graphName RETURN graphName`,
);
const LIST = cypher<{ names: string[] }>('test.listProjections', 'CALL gds.graph.list() YIELD graphName RETURN collect(graphName) AS names');
const FOREIGN = cypher('test.dropForeign', "CALL gds.graph.drop($name, false) YIELD graphName RETURN graphName");

describe('projections a killed process left behind', () => {
  const graph = testGraph();
  afterAll(() => graph.close());

  test('are dropped once older than the cut-off; newer ones and projections not ours stay', async () => {
    const leftover = projectionName('test');
    const foreign = `someone-else-${Date.now()}`;
    await graph.write(PROJECT, { name: leftover });
    await graph.write(PROJECT, { name: foreign });
    try {
      // A cut-off before they were made: both are newer, nothing goes.
      expect(await dropStaleProjections(graph, Date.now() - 60_000)).not.toContain(leftover);
      // Test workers share the database: dropping every projection of ours would kill their live computations.
      const dropped = await dropStaleProjections(graph, Date.now() + 1000, processProjectionPrefix('test'));
      expect(dropped).toEqual([leftover]);
      const [{ names }] = await graph.read(LIST);
      expect(names).not.toContain(leftover);
      expect(names).toContain(foreign);
    } finally {
      await graph.write(FOREIGN, { name: foreign });
    }
  });
});
