import crypto from 'node:crypto';
import type { ConnectCustomersInput, DisconnectCustomersInput, FollowInput, FunnelStage, UpsertCustomerInput } from '../schema/generated/types';
import { badInput, conflict, notFound, withinField } from './errors';
import { CustomerRecord, stageRank, TEXT_LIMITS } from './model';
import { cypher, Graph, Tx } from './neo4j';
import { checkEmail, checkId, checkNumberRange, checkText } from './validate';

// Writers here name fields relative to their own input (`email`); the event runner adds where it sits.

/** The map projection every customer query returns, so one mapper reads them all. */
export const CUSTOMER_PROJECTION = '{.id, .name, .email, .stage, .createdAt, .signedUpAt}';

/** The one way a customer comes into being: at the first stage of the funnel, created at `$at`. */
export const ON_CREATE_CUSTOMER = (variable: string, atParam: string) =>
  `ON CREATE SET ${variable}.createdAt = ${atParam}, ${variable}.stage = 'STRANGER', ${variable}.stageRank = ${stageRank('STRANGER')}`;

/** Moves `variable` to `stage` when that is later than where it stands; never back. */
export const ADVANCE_STAGE = (variable: string, stage: FunnelStage) => {
  const rank = stageRank(stage);
  return `SET ${variable}.stage = CASE WHEN ${variable}.stageRank < ${rank} THEN '${stage}' ELSE ${variable}.stage END,
       ${variable}.stageRank = CASE WHEN ${variable}.stageRank < ${rank} THEN ${rank} ELSE ${variable}.stageRank END`;
};

// Uses the customer_id constraint.
const CUSTOMERS_BY_ID = cypher<{ customer: CustomerRecord }>(
  'customer.byIds',
  `UNWIND $ids AS id MATCH (c:Customer {id: id}) RETURN c ${CUSTOMER_PROJECTION} AS customer`,
);

const CUSTOMER_STATE = cypher<{ stageRank: number | null; stage: FunnelStage | null; emailTaken: boolean }>(
  'customer.state',
  `OPTIONAL MATCH (c:Customer {id: $id})
   OPTIONAL MATCH (other:Customer {email: $email}) WHERE other.id <> $id
   RETURN c.stageRank AS stageRank, c.stage AS stage, other IS NOT NULL AS emailTaken`,
);

const UPSERT_CUSTOMER = cypher<{ customer: CustomerRecord }>(
  'customer.upsert',
  `MERGE (c:Customer {id: $id})
   ${ON_CREATE_CUSTOMER('c', '$now')}
   SET c.name = coalesce($name, c.name), c.email = coalesce($email, c.email)
   WITH c
   SET c.stage = CASE WHEN $stage IS NULL THEN c.stage ELSE $stage END,
       c.stageRank = CASE WHEN $stage IS NULL THEN c.stageRank ELSE $rank END
   RETURN c ${CUSTOMER_PROJECTION} AS customer`,
);

/** Creates or updates a customer; the email stays unique, the stage moves back only with resetStage. */
export async function upsertCustomer(tx: Tx, input: UpsertCustomerInput, now: number): Promise<CustomerRecord> {
  const id = checkId('id', input.id);
  const email = checkEmail('email', input.email);
  const name = checkText('name', input.name, TEXT_LIMITS.name);
  const [state] = await tx.run(CUSTOMER_STATE, { id, email: email ?? null });
  if (state.emailTaken) throw conflict('email', `another customer already has this email.`);
  const stage: FunnelStage | null = input.stage ?? null;
  const rank = stage === null ? null : stageRank(stage);
  if (rank !== null && state.stageRank !== null && rank < state.stageRank && !input.resetStage) {
    throw badInput('stage', `stage cannot move back from ${String(state.stage)} to ${stage} unless resetStage is true.`);
  }
  const [row] = await tx.run(UPSERT_CUSTOMER, { id, name: name ?? null, email: email ?? null, stage, rank, now });
  return row.customer;
}

export async function customersByIds(graph: Graph, ids: readonly string[]): Promise<Map<string, CustomerRecord>> {
  const rows = await graph.read(CUSTOMERS_BY_ID, { ids: [...new Set(ids)] });
  return new Map(rows.map((row) => [row.customer.id, row.customer]));
}

const EXISTING_IDS = cypher<{ ids: string[] }>('customer.existing', 'UNWIND $ids AS id MATCH (c:Customer {id: id}) RETURN collect(c.id) AS ids');

/** Throws NOT_FOUND naming the first field whose customer does not exist. */
export async function requireCustomers(tx: Tx, fields: Record<string, string>): Promise<void> {
  const [row] = await tx.run(EXISTING_IDS, { ids: Object.values(fields) });
  const existing = new Set(row.ids);
  for (const [field, id] of Object.entries(fields)) {
    if (!existing.has(id)) throw notFound(field, `no customer with id "${id}".`);
  }
}

/** The same check in a read transaction of its own, for queries that write nothing. */
export const requireCustomersIn = (graph: Graph, fields: Record<string, string>) => graph.readTransaction((tx) => requireCustomers(tx, fields));

function checkPair(customerField: string, otherField: string, customerId: string, otherId: string) {
  checkId(customerField, customerId);
  checkId(otherField, otherId);
  if (customerId === otherId) throw badInput(otherField, `a customer cannot be connected to themselves.`);
}

// One KNOWS per pair: the undirected MERGE matches either direction before creating one.
const CONNECT = cypher<{ strength: number; since: number }>(
  'customer.connect',
  `MATCH (a:Customer {id: $customerId}), (b:Customer {id: $otherId})
   MERGE (a)-[k:KNOWS]-(b)
   ON CREATE SET k.since = $since
   SET k.strength = $strength
   RETURN k.strength AS strength, k.since AS since`,
);

export interface SocialTieRecord {
  customerId: string;
  otherId: string;
  strength: number;
  since: number;
}

export async function connectCustomers(tx: Tx, input: ConnectCustomersInput, now: number): Promise<SocialTieRecord> {
  checkPair('customerId', 'otherId', input.customerId, input.otherId);
  const strength = checkNumberRange('strength', input.strength, 0, 1);
  await requireCustomers(tx, { customerId: input.customerId, otherId: input.otherId });
  const [row] = await tx.run(CONNECT, { customerId: input.customerId, otherId: input.otherId, strength, since: input.since ?? now });
  return { customerId: input.customerId, otherId: input.otherId, strength: row.strength, since: row.since };
}

const DISCONNECT = cypher<{ removed: number }>(
  'customer.disconnect',
  `MATCH (:Customer {id: $customerId})-[k:KNOWS]-(:Customer {id: $otherId})
   DELETE k
   RETURN count(k) AS removed`,
);

/** Idempotent by nature (removing what is gone removes nothing), so it takes no idempotency key. */
export async function disconnectCustomers(graph: Graph, input: DisconnectCustomersInput): Promise<boolean> {
  return withinField('input', async () => {
    checkPair('customerId', 'otherId', input.customerId, input.otherId);
    const [row] = await graph.write(DISCONNECT, { customerId: input.customerId, otherId: input.otherId });
    return row.removed > 0;
  });
}

// Following someone is engagement: the follower is at least a FOLLOWER.
const FOLLOW = cypher(
  'customer.follow',
  `MATCH (a:Customer {id: $followerId}), (b:Customer {id: $followedId})
   MERGE (a)-[f:FOLLOWS]->(b)
   ON CREATE SET f.at = $at
   WITH a
   ${ADVANCE_STAGE('a', 'FOLLOWER')}`,
);

export async function follow(tx: Tx, input: FollowInput, now: number): Promise<{ followerId: string; followedId: string }> {
  checkPair('followerId', 'followedId', input.followerId, input.followedId);
  await requireCustomers(tx, { followerId: input.followerId, followedId: input.followedId });
  await tx.run(FOLLOW, { followerId: input.followerId, followedId: input.followedId, at: input.at ?? now });
  return { followerId: input.followerId, followedId: input.followedId };
}

// Erasure keeps the node and its relationships, so referral, conversion and purchase counts stay right,
// but nothing that identifies the person: no id, name, email, review text, or stored replay results.
const ERASE_CUSTOMER = cypher<{ erased: number }>(
  'customer.erase',
  `MATCH (c:Customer {id: $id})
   SET c.id = $anonymousId, c.name = null, c.email = null, c.erased = true, c.erasedAt = $now
   WITH c
   CALL (c) {
     MATCH (c)-[rv:REVIEWED]->()
     SET rv.text = null
   }
   CALL (c) {
     MATCH (k:IdempotencyKey)-[:ABOUT]->(c)
     DETACH DELETE k
   }
   RETURN count(c) AS erased`,
);

export async function eraseCustomer(graph: Graph, id: string, now = Date.now()): Promise<boolean> {
  const [row] = await graph.write(ERASE_CUSTOMER, { id, anonymousId: `erased-${crypto.randomUUID()}`, now });
  if (!row || row.erased === 0) throw notFound('id', `no customer with id "${id}".`);
  return true;
}
