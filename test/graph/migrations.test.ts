import crypto from 'node:crypto';
import { applyConstraintMigration, ConstraintMigration } from '../../graph/constraintMigration';
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
    for (const name of [
      'customer_id', 'customer_email', 'campaign_id', 'referral_code', 'product_id', 'idempotency_key',
      'purchased_order_id', 'referred_credited_invitee', 'referral_code_owner_campaign',
    ]) {
      expect(first).toContain(`constraint:${name}`);
    }
    expect(first).toContain('index:referred_campaign');
    // The plain index on PURCHASED.orderId gave way to the uniqueness constraint's own.
    expect(first).not.toContain('index:purchased_order');
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(10);
  });

  test('a constraint that stored data breaks stops the migration with the duplicates named, and changes nothing', async () => {
    // A label of this run's own, so that the shared database's real constraints are never touched.
    const label = `MigrationProbe_${crypto.randomBytes(4).toString('hex')}`;
    const name = `${label.toLowerCase()}_key`;
    const exists = cypher<{ exists: boolean }>('test.probeExists', 'SHOW CONSTRAINTS YIELD name WHERE name = $name RETURN count(*) > 0 AS exists');
    const migration: ConstraintMigration = {
      constraint: name,
      rule: 'one probe per key',
      offenders: 'keys on more than one probe',
      violations: cypher(
        'test.probeDuplicates',
        `MATCH (n:${label}) WITH n.key AS value, count(*) AS count WHERE count > 1 RETURN value, count ORDER BY value`,
      ),
      backfill: cypher('test.probeBackfill', `MATCH (n:${label}) WHERE n.filled IS NULL SET n.filled = true`),
      create: cypher('test.probeUnique', `CREATE CONSTRAINT ${name} IF NOT EXISTS FOR (n:${label}) REQUIRE n.key IS UNIQUE`),
    };
    await graph.write(cypher('test.probeNodes', `UNWIND ['x', 'x', 'y', 'z', 'z', 'z'] AS key CREATE (:${label} {key: key})`));
    try {
      await expect(applyConstraintMigration(graph, migration)).rejects.toThrow(
        new RegExp(`${name} \\(one probe per key\\).*Keys on more than one probe: "x" \\(2\\), "z" \\(3\\)\\.`),
      );
      expect((await graph.runAutoCommit(exists, { name }))[0].exists).toBe(false);
      const [untouched] = await graph.read(cypher('test.probeFilled', `MATCH (n:${label}) WHERE n.filled RETURN count(n) AS n`));
      expect(untouched.n).toBe(0);

      await graph.write(cypher('test.probeDedupe', `MATCH (n:${label}) WITH n.key AS key, collect(n) AS nodes UNWIND nodes[1..] AS extra DELETE extra`));
      await applyConstraintMigration(graph, migration);
      await applyConstraintMigration(graph, migration);
      expect((await graph.runAutoCommit(exists, { name }))[0].exists).toBe(true);
    } finally {
      await graph.runAutoCommit(cypher('test.probeDrop', `DROP CONSTRAINT ${name} IF EXISTS`));
      await graph.write(cypher('test.probeCleanup', `MATCH (n:${label}) DELETE n`));
    }
  });
});
