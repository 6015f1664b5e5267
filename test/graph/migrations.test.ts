import { applyMigrations, MIGRATIONS } from '../../graph/migrations';
import { cypher } from '../../graph/neo4j';
import { testGraph } from '../support/services';

const CONSTRAINTS = cypher('test.constraints', "SHOW CONSTRAINTS YIELD name RETURN 'constraint:' + name AS item");
const INDEXES = cypher('test.indexes', "SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN 'index:' + name AS item");

async function schemaItems(graph: ReturnType<typeof testGraph>): Promise<string[]> {
  const rows = [...(await graph.runAutoCommit(CONSTRAINTS)), ...(await graph.runAutoCommit(INDEXES))];
  return rows.map((row) => String(row.item)).sort();
}

describe('migrations', () => {
  const graph = testGraph();
  afterAll(() => graph.close());

  test('applying the migrations twice leaves the same constraints and indexes', async () => {
    await applyMigrations(graph);
    const first = await schemaItems(graph);
    await applyMigrations(graph);
    const second = await schemaItems(graph);
    expect(second).toEqual(first);
    for (const name of ['customer_id', 'customer_email', 'campaign_id', 'referral_code', 'product_id', 'idempotency_key']) {
      expect(first).toContain(`constraint:${name}`);
    }
    expect(first).toContain('index:referred_campaign');
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(10);
  });
});
