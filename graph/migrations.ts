import { cypher, Cypher, Graph } from './neo4j';

/**
 * The constraints and indexes every query in graph/ relies on. Each is idempotent (IF NOT EXISTS),
 * so they are applied on every start; a new one is appended, never edited in place.
 */
export const MIGRATIONS: readonly Cypher[] = [
  cypher('migration.customerId', 'CREATE CONSTRAINT customer_id IF NOT EXISTS FOR (c:Customer) REQUIRE c.id IS UNIQUE'),
  cypher('migration.customerEmail', 'CREATE CONSTRAINT customer_email IF NOT EXISTS FOR (c:Customer) REQUIRE c.email IS UNIQUE'),
  cypher('migration.campaignId', 'CREATE CONSTRAINT campaign_id IF NOT EXISTS FOR (c:Campaign) REQUIRE c.id IS UNIQUE'),
  cypher('migration.referralCode', 'CREATE CONSTRAINT referral_code IF NOT EXISTS FOR (r:ReferralCode) REQUIRE r.code IS UNIQUE'),
  cypher('migration.productId', 'CREATE CONSTRAINT product_id IF NOT EXISTS FOR (p:Product) REQUIRE p.id IS UNIQUE'),
  cypher('migration.idempotencyKey', 'CREATE CONSTRAINT idempotency_key IF NOT EXISTS FOR (k:IdempotencyKey) REQUIRE k.key IS UNIQUE'),
  cypher('migration.customerStage', 'CREATE INDEX customer_stage IF NOT EXISTS FOR (c:Customer) ON (c.stage)'),
  cypher('migration.referredCampaign', 'CREATE INDEX referred_campaign IF NOT EXISTS FOR ()-[r:REFERRED]-() ON (r.campaign)'),
  cypher('migration.referredStatus', 'CREATE INDEX referred_status IF NOT EXISTS FOR ()-[r:REFERRED]-() ON (r.status)'),
  cypher('migration.purchasedOrder', 'CREATE INDEX purchased_order IF NOT EXISTS FOR ()-[p:PURCHASED]-() ON (p.orderId)'),
  cypher('migration.idempotencyKeyAt', 'CREATE INDEX idempotency_key_at IF NOT EXISTS FOR (k:IdempotencyKey) ON (k.at)'),
];

const AWAIT_INDEXES = cypher('migration.awaitIndexes', 'CALL db.awaitIndexes(300)');

export async function applyMigrations(graph: Graph): Promise<number> {
  for (const migration of MIGRATIONS) await graph.runAutoCommit(migration);
  await graph.runAutoCommit(AWAIT_INDEXES);
  return MIGRATIONS.length;
}
