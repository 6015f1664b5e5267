import { SyntheticGraph } from './synthetic';
import { cypher, Cypher, Graph, Row } from './neo4j';
import { stageRank } from './model';

// Bulk loads for imports and demo data: UNWIND batches, MERGE on the unique ids, so a re-run adds nothing.

const LOAD_CAMPAIGNS = cypher('bulk.campaigns', 'UNWIND $rows AS row MERGE (c:Campaign {id: row.id}) SET c += row');
const LOAD_PRODUCTS = cypher('bulk.products', 'UNWIND $rows AS row MERGE (p:Product {id: row.id}) SET p.name = row.name');
const LOAD_CUSTOMERS = cypher(
  'bulk.customers',
  `UNWIND $rows AS row
   MERGE (c:Customer {id: row.id})
   ON CREATE SET c.name = row.name, c.stage = row.stage, c.stageRank = row.stageRank, c.createdAt = row.createdAt, c.signedUpAt = row.signedUpAt`,
);
/** A LOAD_CUSTOMERS row for a customer nobody knows yet: no name, a stranger since `createdAt`. */
export const strangerRow = (id: string, createdAt: number) => ({ id, name: null, stage: 'STRANGER', stageRank: stageRank('STRANGER'), createdAt, signedUpAt: null });

const LOAD_KNOWS = cypher(
  'bulk.knows',
  `UNWIND $rows AS row
   MATCH (a:Customer {id: row[0]}), (b:Customer {id: row[1]})
   MERGE (a)-[k:KNOWS]-(b)
   ON CREATE SET k.strength = row[2], k.since = $now`,
);
const LOAD_REFERRALS = cypher(
  'bulk.referrals',
  `UNWIND $rows AS row
   MATCH (a:Customer {id: row.referrerId}), (b:Customer {id: row.inviteeId})
   MERGE (a)-[r:REFERRED {campaign: row.campaign}]->(b)
   ON CREATE SET r.channel = row.channel, r.status = row.status, r.invitedAt = row.invitedAt, r.clickedAt = row.clickedAt,
                 r.signedUpAt = row.signedUpAt, r.firstPurchaseAt = row.firstPurchaseAt,
                 r.creditedInvitee = CASE WHEN row.signedUpAt IS NULL THEN null ELSE elementId(b) END`,
);
const LOAD_PURCHASES = cypher(
  'bulk.purchases',
  `UNWIND $rows AS row
   MATCH (c:Customer {id: row.customerId}), (p:Product {id: row.productId})
   WHERE NOT EXISTS { ()-[:PURCHASED {orderId: row.orderId}]->() }
   CREATE (c)-[:PURCHASED {orderId: row.orderId, amount: row.amount, currency: coalesce(row.currency, 'EUR'), at: row.at}]->(p)`,
);
const LOAD_REVIEWS = cypher(
  'bulk.reviews',
  `UNWIND $rows AS row
   MATCH (c:Customer {id: row.customerId}), (p:Product {id: row.productId})
   MERGE (c)-[rv:REVIEWED]->(p)
   ON CREATE SET rv.rating = row.rating, rv.recommend = row.recommend, rv.at = row.at, rv.revisions = 1`,
);

// Places in an invite-only waitlist campaign, keyed as graph/membership.ts keys them.
const LOAD_MEMBERSHIPS = cypher(
  'bulk.memberships',
  `UNWIND $rows AS row
   MATCH (c:Customer {id: row.customerId}), (campaign:Campaign {id: row.campaignId})
   MERGE (m:Membership {key: campaign.id + '|' + elementId(c)})
   ON CREATE SET m.campaignId = campaign.id, m.status = row.status, m.seq = row.seq, m.score = row.score, m.credits = row.credits,
                 m.spent = 0, m.origin = row.origin, m.joinedAt = row.joinedAt,
                 m.admittedAt = CASE WHEN row.status = 'MEMBER' THEN row.joinedAt END,
                 m.generation = CASE WHEN row.status = 'MEMBER' THEN 0 END, m.rootWave = CASE WHEN row.status = 'MEMBER' THEN 0 END
   MERGE (c)-[:HOLDS]->(m)
   MERGE (m)-[:IN]->(campaign)`,
);
// Synthetic identifiers come hashed already (graph/synthetic.ts); HELD referrals get their reason like the rule sets it.
const LOAD_IDENTIFIERS = cypher(
  'bulk.identifiers',
  `UNWIND $rows AS row
   MATCH (c:Customer {id: row.customerId})
   MERGE (i:Identifier {kind: row.kind, hash: row.hash})
   MERGE (c)-[link:HAS_IDENTIFIER]->(i)
   ON CREATE SET link.since = c.createdAt`,
);
const MARK_HELD = cypher(
  'bulk.heldReasons',
  `UNWIND $rows AS row
   MATCH (:Customer {id: row.referrerId})-[r:REFERRED {campaign: row.campaign}]->(:Customer {id: row.inviteeId})
   SET r.holdReason = 'SHARED_IDENTIFIER', r.heldAt = r.signedUpAt`,
);

/** Runs `query` once per batch of `rows`, each batch its own transaction; returns what the batches returned. */
export async function loadInBatches<T, R extends object = Row>(
  graph: Graph,
  query: Cypher<R>,
  rows: readonly T[],
  batchSize: number,
  progress?: (done: number, total: number) => void,
  extra: Record<string, unknown> = {},
): Promise<R[]> {
  const returned: R[] = [];
  progress?.(0, rows.length);
  for (let start = 0; start < rows.length; start += batchSize) {
    returned.push(...(await graph.write(query, { rows: rows.slice(start, start + batchSize), ...extra })));
    progress?.(Math.min(start + batchSize, rows.length), rows.length);
  }
  return returned;
}

export async function loadSyntheticGraph(
  graph: Graph,
  data: SyntheticGraph,
  progress?: (what: string, done: number, total: number) => void,
  batchSize = 5000,
): Promise<void> {
  const step = (what: string) => (done: number, total: number) => progress?.(what, done, total);
  await loadInBatches(graph, LOAD_CAMPAIGNS, data.campaigns, batchSize, step('campaigns'));
  await loadInBatches(graph, LOAD_PRODUCTS, data.products, batchSize, step('products'));
  await loadInBatches(graph, LOAD_CUSTOMERS, data.customers, batchSize, step('customers'));
  await loadInBatches(graph, LOAD_KNOWS, data.knows, batchSize, step('connections'), { now: Date.UTC(2026, 0, 1) });
  await loadInBatches(graph, LOAD_REFERRALS, data.referrals, batchSize, step('referrals'));
  await loadInBatches(graph, LOAD_PURCHASES, data.purchases, batchSize, step('purchases'));
  await loadInBatches(graph, LOAD_REVIEWS, data.reviews, batchSize, step('reviews'));
  if (data.memberships) {
    await loadInBatches(graph, LOAD_MEMBERSHIPS, data.memberships, batchSize, step('memberships'));
  }
  if (data.identifiers) {
    await loadInBatches(graph, LOAD_IDENTIFIERS, data.identifiers, batchSize, step('identifiers'));
    await loadInBatches(graph, MARK_HELD, data.referrals.filter((referral) => referral.status === 'HELD'), batchSize, step('held referrals'));
  }
}

export { LOAD_CAMPAIGNS, LOAD_CUSTOMERS, LOAD_KNOWS, LOAD_PRODUCTS, LOAD_PURCHASES, LOAD_REFERRALS };
