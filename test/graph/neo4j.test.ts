import { connectGraph, cypher } from '../../graph/neo4j';
import { createErrorFormatter } from '../../server/errors';
import { createLogger } from '../../server/logger';
import { requireEnv } from '../support/services';

describe('the Neo4j connection', () => {
  test('a transaction running past the timeout is terminated by Neo4j and reported as QUERY_TIMEOUT', async () => {
    const graph = connectGraph({ uri: requireEnv('NEO4J_URI'), user: 'neo4j', password: '' }, undefined, 500);
    try {
      const error = await graph.read(cypher('test.sleep', 'CALL apoc.util.sleep(5000) RETURN 1 AS done')).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeDefined();
      const formatted = createErrorFormatter(createLogger('silent'))({ message: 'x' }, error);
      expect(formatted.extensions?.code).toBe('QUERY_TIMEOUT');
    } finally {
      await graph.close();
    }
  });

  test('whole numbers travel as INTEGER, so SKIP and LIMIT take them and instants stay integers', async () => {
    const graph = connectGraph({ uri: requireEnv('NEO4J_URI'), user: 'neo4j', password: '' });
    try {
      const [row] = await graph.read(cypher('test.types', 'UNWIND range(1, 5) AS i WITH i SKIP $skip LIMIT $limit RETURN collect(i) AS items, valueType($at) AS atType, valueType($ratio) AS ratioType'), {
        skip: 1, limit: 2, at: Date.UTC(2026, 0, 1), ratio: 0.5,
      });
      expect(row).toEqual({ items: [2, 3], atType: 'INTEGER NOT NULL', ratioType: 'FLOAT NOT NULL' });
    } finally {
      await graph.close();
    }
  });
});
