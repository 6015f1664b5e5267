import { applyConstraintMigration, ConstraintMigration, isConstraintMigration, VIOLATIONS_SHOWN } from './constraintMigration';
import { cypher, Cypher, Graph } from './neo4j';

/**
 * The constraints and indexes every query in graph/ relies on. Each is idempotent (IF NOT EXISTS),
 * so they are applied on every start; a new one is appended, never edited in place, and one no query relies on any
 * more is removed and dropped by an appended `DROP … IF EXISTS`. A constraint that
 * existing data could break is a ConstraintMigration: checked first, so a start on such data fails
 * naming the offenders (see graph/constraintMigration.ts).
 */
export const MIGRATIONS: readonly (Cypher | ConstraintMigration)[] = [
  cypher('migration.customerId', 'CREATE CONSTRAINT customer_id IF NOT EXISTS FOR (c:Customer) REQUIRE c.id IS UNIQUE'),
  cypher('migration.customerEmail', 'CREATE CONSTRAINT customer_email IF NOT EXISTS FOR (c:Customer) REQUIRE c.email IS UNIQUE'),
  cypher('migration.campaignId', 'CREATE CONSTRAINT campaign_id IF NOT EXISTS FOR (c:Campaign) REQUIRE c.id IS UNIQUE'),
  cypher('migration.referralCode', 'CREATE CONSTRAINT referral_code IF NOT EXISTS FOR (r:ReferralCode) REQUIRE r.code IS UNIQUE'),
  cypher('migration.productId', 'CREATE CONSTRAINT product_id IF NOT EXISTS FOR (p:Product) REQUIRE p.id IS UNIQUE'),
  cypher('migration.idempotencyKey', 'CREATE CONSTRAINT idempotency_key IF NOT EXISTS FOR (k:IdempotencyKey) REQUIRE k.key IS UNIQUE'),
  cypher('migration.customerStage', 'CREATE INDEX customer_stage IF NOT EXISTS FOR (c:Customer) ON (c.stage)'),
  cypher('migration.referredCampaign', 'CREATE INDEX referred_campaign IF NOT EXISTS FOR ()-[r:REFERRED]-() ON (r.campaign)'),
  cypher('migration.referredStatus', 'CREATE INDEX referred_status IF NOT EXISTS FOR ()-[r:REFERRED]-() ON (r.status)'),
  // Superseded by purchased_order_id below (whose own index serves the same lookups): once that exists,
  // this CREATE INDEX … IF NOT EXISTS has no effect.
  cypher('migration.purchasedOrder', 'CREATE INDEX purchased_order IF NOT EXISTS FOR ()-[p:PURCHASED]-() ON (p.orderId)'),
  cypher('migration.idempotencyKeyAt', 'CREATE INDEX idempotency_key_at IF NOT EXISTS FOR (k:IdempotencyKey) ON (k.at)'),
  {
    constraint: 'purchased_order_id',
    rule: 'one purchase per order id',
    offenders: 'order ids on more than one purchase',
    // Neo4j refuses a constraint while a plain index covers the same property.
    before: [cypher('migration.dropPurchasedOrderIndex', 'DROP INDEX purchased_order IF EXISTS')],
    violations: cypher(
      'migration.purchasedOrderDuplicates',
      `MATCH ()-[p:PURCHASED]->() WHERE p.orderId IS NOT NULL
       WITH p.orderId AS value, count(*) AS count WHERE count > 1
       RETURN value, count ORDER BY value LIMIT ${VIOLATIONS_SHOWN + 1}`,
    ),
    create: cypher('migration.purchasedOrderUnique', 'CREATE CONSTRAINT purchased_order_id IF NOT EXISTS FOR ()-[p:PURCHASED]-() REQUIRE p.orderId IS UNIQUE'),
  },
  {
    constraint: 'referred_credited_invitee',
    rule: 'one credited referral per invitee',
    offenders: 'customers credited to more than one referrer',
    violations: cypher(
      'migration.creditedInviteeDuplicates',
      `MATCH ()-[r:REFERRED]->(c:Customer) WHERE r.signedUpAt IS NOT NULL
       WITH c.id AS value, count(r) AS count WHERE count > 1
       RETURN value, count ORDER BY value LIMIT ${VIOLATIONS_SHOWN + 1}`,
    ),
    // The credited referral carries its invitee's elementId, which no write changes (erasure rewrites Customer.id).
    backfill: cypher(
      'migration.creditedInviteeBackfill',
      `MATCH ()-[r:REFERRED]->(c:Customer) WHERE r.signedUpAt IS NOT NULL AND r.creditedInvitee IS NULL
       CALL (r, c) { SET r.creditedInvitee = elementId(c) } IN TRANSACTIONS OF 10000 ROWS`,
    ),
    create: cypher(
      'migration.creditedInviteeUnique',
      'CREATE CONSTRAINT referred_credited_invitee IF NOT EXISTS FOR ()-[r:REFERRED]-() REQUIRE r.creditedInvitee IS UNIQUE',
    ),
  },
  {
    constraint: 'referral_code_owner_campaign',
    rule: 'one referral code per customer and campaign',
    offenders: 'customer / campaign pairs with more than one code',
    violations: cypher(
      'migration.codeOwnerCampaignDuplicates',
      `MATCH (owner:Customer)-[:OWNS]->(code:ReferralCode)-[:FOR]->(campaign:Campaign)
       WITH owner.id + ' / ' + campaign.id AS value, count(code) AS count WHERE count > 1
       RETURN value, count ORDER BY value LIMIT ${VIOLATIONS_SHOWN + 1}`,
    ),
    backfill: cypher(
      'migration.codeOwnerCampaignBackfill',
      `MATCH (owner:Customer)-[:OWNS]->(code:ReferralCode)-[:FOR]->(campaign:Campaign) WHERE code.ownerCampaign IS NULL
       CALL (owner, code, campaign) { SET code.ownerCampaign = elementId(owner) + '/' + elementId(campaign) } IN TRANSACTIONS OF 10000 ROWS`,
    ),
    create: cypher(
      'migration.codeOwnerCampaignUnique',
      'CREATE CONSTRAINT referral_code_owner_campaign IF NOT EXISTS FOR (r:ReferralCode) REQUIRE r.ownerCampaign IS UNIQUE',
    ),
  },
  // Invite-only launches (graph/membership.ts): one place per customer and campaign; one waitlist join number
  // per campaign; one wave of each number per campaign; the waitlist read in (score, seq) order per campaign.
  cypher('migration.membershipKey', 'CREATE CONSTRAINT membership_key IF NOT EXISTS FOR (m:Membership) REQUIRE m.key IS UNIQUE'),
  cypher('migration.membershipSeq', 'CREATE CONSTRAINT membership_campaign_seq IF NOT EXISTS FOR (m:Membership) REQUIRE (m.campaignId, m.seq) IS UNIQUE'),
  cypher('migration.waveNumber', 'CREATE CONSTRAINT wave_campaign_number IF NOT EXISTS FOR (w:Wave) REQUIRE (w.campaignId, w.number) IS UNIQUE'),
  cypher('migration.membershipQueue', 'CREATE INDEX membership_queue IF NOT EXISTS FOR (m:Membership) ON (m.campaignId, m.status, m.score)'),
  // Fraud and rewards (graph/identifiers.ts, graph/rewards.ts).
  cypher('migration.identifierKindHash', 'CREATE CONSTRAINT identifier_kind_hash IF NOT EXISTS FOR (i:Identifier) REQUIRE (i.kind, i.hash) IS UNIQUE'),
  cypher('migration.rewardId', 'CREATE CONSTRAINT reward_id IF NOT EXISTS FOR (w:Reward) REQUIRE w.id IS UNIQUE'),
  // One reward per side of a credited referral: `key` is the side and the credited invitee's elementId.
  cypher('migration.rewardKey', 'CREATE CONSTRAINT reward_key IF NOT EXISTS FOR (w:Reward) REQUIRE w.key IS UNIQUE'),
  cypher('migration.rewardStatus', 'CREATE INDEX reward_status IF NOT EXISTS FOR (w:Reward) ON (w.status)'),
  cypher('migration.rewardOrder', 'CREATE INDEX reward_order IF NOT EXISTS FOR (w:Reward) ON (w.orderId)'),
  cypher('migration.rewardCampaign', 'CREATE INDEX reward_campaign IF NOT EXISTS FOR (w:Reward) ON (w.campaignId)'),
  // The transactional outbox (graph/outbox.ts): one sequence node per referral tree (its batches' order is below).
  cypher('migration.eventTreeKey', 'CREATE CONSTRAINT event_tree_key IF NOT EXISTS FOR (t:EventTree) REQUIRE t.rootKey IS UNIQUE'),
  // Webhook endpoints (graph/webhooks.ts).
  cypher('migration.webhookId', 'CREATE CONSTRAINT webhook_id IF NOT EXISTS FOR (w:Webhook) REQUIRE w.id IS UNIQUE'),
  // The outbox holds one node per transaction (graph/outbox.ts): pending batches in relay order (stamp, then id), read
  // from the index a page at a time rather than sorted whole.
  cypher('migration.outboxBatchOrder', 'CREATE INDEX outbox_batch_order IF NOT EXISTS FOR (b:OutboxBatch) ON (b.stamp, b.id)'),
  // Stores written before the outbox held one node per transaction kept one (:OutboxEvent) node per event: any still
  // pending become one batch, ahead of every newer one (stamp 0) and in their trees' order, then the old schema goes.
  cypher(
    'migration.outboxEventsToBatch',
    `MATCH (e:OutboxEvent)
     WITH e ORDER BY e.tree, e.seq
     WITH collect(e) AS rows
     WHERE size(rows) > 0
     CREATE (:OutboxBatch {id: randomUUID(), stamp: 0, size: size(rows), events: [e IN rows |
       apoc.convert.toJson(apoc.map.merge(apoc.convert.fromJsonMap(e.payload), {id: e.id, type: e.type, at: e.at, rootCustomerId: e.rootId, tree: e.tree, seq: e.seq}))]})
     WITH rows
     UNWIND rows AS e
     DELETE e`,
  ),
  cypher('migration.dropOutboxEventId', 'DROP CONSTRAINT outbox_event_id IF EXISTS'),
  cypher('migration.dropOutboxEventOrder', 'DROP INDEX outbox_event_order IF EXISTS'),
];

const AWAIT_INDEXES = cypher('migration.awaitIndexes', 'CALL db.awaitIndexes(300)');

export async function applyMigrations(graph: Graph): Promise<number> {
  for (const migration of MIGRATIONS) {
    if (isConstraintMigration(migration)) await applyConstraintMigration(graph, migration);
    else await graph.runAutoCommit(migration);
  }
  await graph.runAutoCommit(AWAIT_INDEXES);
  return MIGRATIONS.length;
}
