import crypto from 'node:crypto';
import type { ConnectCustomersInput, DisconnectCustomersInput, FollowInput, FunnelStage, UpsertCustomerInput } from '../schema/generated/types';
import { badInput, conflict, notFound, withinField } from './errors';
import { HashedIdentifier, linkIdentifiers, parseIdentifiers } from './identifiers';
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

// Both statements below take `$rows`: a single mutation sends one row, a batch (graph/batch) one row per event.
export const CUSTOMER_STATE = cypher<{ index: number; stageRank: number | null; stage: FunnelStage | null; emailTaken: boolean }>(
  'customer.state',
  `UNWIND $rows AS row
   OPTIONAL MATCH (c:Customer {id: row.id})
   OPTIONAL MATCH (other:Customer {email: row.email}) WHERE other.id <> row.id
   RETURN row.index AS index, c.stageRank AS stageRank, c.stage AS stage, other IS NOT NULL AS emailTaken`,
);

export const UPSERT_CUSTOMER = cypher<{ index: number; customer: CustomerRecord }>(
  'customer.upsert',
  `UNWIND $rows AS row
   MERGE (c:Customer {id: row.id})
   ${ON_CREATE_CUSTOMER('c', 'row.now')}
   SET c.name = coalesce(row.name, c.name), c.email = coalesce(row.email, c.email)
   WITH row, c
   SET c.stage = CASE WHEN row.stage IS NULL THEN c.stage ELSE row.stage END,
       c.stageRank = CASE WHEN row.stage IS NULL THEN c.stageRank ELSE row.rank END
   RETURN row.index AS index, c ${CUSTOMER_PROJECTION} AS customer`,
);

export interface UpsertRow {
  id: string;
  name: string | null;
  email: string | null;
  stage: FunnelStage | null;
  rank: number | null;
  resetStage: boolean;
  identifiers: HashedIdentifier[];
}

/** The checks that need no database, in the order the writer makes them. */
export function parseUpsertCustomer(input: UpsertCustomerInput): UpsertRow {
  const id = checkId('id', input.id);
  const email = checkEmail('email', input.email) ?? null;
  const name = checkText('name', input.name, TEXT_LIMITS.name) ?? null;
  const stage: FunnelStage | null = input.stage ?? null;
  const identifiers = parseIdentifiers('identifiers', input.identifiers);
  return { id, name, email, stage, rank: stage === null ? null : stageRank(stage), resetStage: Boolean(input.resetStage), identifiers };
}

/** The rules on the stored customer: the email stays unique, the stage moves back only with resetStage. */
export function checkUpsertState(row: UpsertRow, state: { stageRank: number | null; stage: FunnelStage | null; emailTaken: boolean }): void {
  if (state.emailTaken) throw conflict('email', `another customer already has this email.`);
  if (row.rank !== null && state.stageRank !== null && row.rank < state.stageRank && !row.resetStage) {
    throw badInput('stage', `stage cannot move back from ${String(state.stage)} to ${row.stage} unless resetStage is true.`);
  }
}

/** Creates or updates a customer; the email stays unique, the stage moves back only with resetStage. */
export async function upsertCustomer(tx: Tx, input: UpsertCustomerInput, now: number): Promise<CustomerRecord> {
  const row = { ...parseUpsertCustomer(input), index: 0, now };
  const [state] = await tx.run(CUSTOMER_STATE, { rows: [row] });
  checkUpsertState(row, state);
  const [written] = await tx.run(UPSERT_CUSTOMER, { rows: [row] });
  await linkIdentifiers(tx, [{ customerId: row.id, at: now, identifiers: row.identifiers }]);
  return written.customer;
}

export async function customersByIds(graph: Graph, ids: readonly string[]): Promise<Map<string, CustomerRecord>> {
  const rows = await graph.read(CUSTOMERS_BY_ID, { ids: [...new Set(ids)] });
  return new Map(rows.map((row) => [row.customer.id, row.customer]));
}

export const EXISTING_IDS = cypher<{ ids: string[] }>('customer.existing', 'UNWIND $ids AS id MATCH (c:Customer {id: id}) RETURN collect(c.id) AS ids');

/** Throws NOT_FOUND naming the first field whose customer is not in `existing`. */
export function checkCustomersExist(existing: ReadonlySet<string>, fields: Record<string, string>): void {
  for (const [field, id] of Object.entries(fields)) {
    if (!existing.has(id)) throw notFound(field, `no customer with id "${id}".`);
  }
}

/** Throws NOT_FOUND naming the first field whose customer does not exist. */
export async function requireCustomers(tx: Tx, fields: Record<string, string>): Promise<void> {
  const [row] = await tx.run(EXISTING_IDS, { ids: Object.values(fields) });
  checkCustomersExist(new Set(row.ids), fields);
}

/** The same check in a read transaction of its own, for queries that write nothing. */
export const requireCustomersIn = (graph: Graph, fields: Record<string, string>) => graph.readTransaction((tx) => requireCustomers(tx, fields));

function checkPair(customerField: string, otherField: string, customerId: string, otherId: string) {
  checkId(customerField, customerId);
  checkId(otherField, otherId);
  if (customerId === otherId) throw badInput(otherField, `a customer cannot be connected to themselves.`);
}

// One KNOWS per pair: the undirected MERGE matches either direction before creating one.
export const CONNECT = cypher<{ index: number; strength: number; since: number }>(
  'customer.connect',
  `UNWIND $rows AS row
   MATCH (a:Customer {id: row.customerId}), (b:Customer {id: row.otherId})
   MERGE (a)-[k:KNOWS]-(b)
   ON CREATE SET k.since = row.since
   SET k.strength = row.strength
   RETURN row.index AS index, k.strength AS strength, k.since AS since`,
);

export interface SocialTieRecord {
  customerId: string;
  otherId: string;
  strength: number;
  since: number;
}

export interface ConnectRow {
  customerId: string;
  otherId: string;
  strength: number;
  since: number;
}

export function parseConnect(input: ConnectCustomersInput, now: number): ConnectRow {
  checkPair('customerId', 'otherId', input.customerId, input.otherId);
  const strength = checkNumberRange('strength', input.strength, 0, 1);
  return { customerId: input.customerId, otherId: input.otherId, strength, since: input.since ?? now };
}

export const connectFields = (row: ConnectRow) => ({ customerId: row.customerId, otherId: row.otherId });

export const socialTie = (row: ConnectRow, written: { strength: number; since: number }): SocialTieRecord => ({
  customerId: row.customerId,
  otherId: row.otherId,
  strength: written.strength,
  since: written.since,
});

export async function connectCustomers(tx: Tx, input: ConnectCustomersInput, now: number): Promise<SocialTieRecord> {
  const row = parseConnect(input, now);
  await requireCustomers(tx, connectFields(row));
  const [written] = await tx.run(CONNECT, { rows: [{ ...row, index: 0 }] });
  return socialTie(row, written);
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
export const FOLLOW = cypher<{ index: number }>(
  'customer.follow',
  `UNWIND $rows AS row
   MATCH (a:Customer {id: row.followerId}), (b:Customer {id: row.followedId})
   MERGE (a)-[f:FOLLOWS]->(b)
   ON CREATE SET f.at = row.at
   WITH row, a
   ${ADVANCE_STAGE('a', 'FOLLOWER')}
   RETURN row.index AS index`,
);

export interface FollowRow {
  followerId: string;
  followedId: string;
  at: number;
}

export function parseFollow(input: FollowInput, now: number): FollowRow {
  checkPair('followerId', 'followedId', input.followerId, input.followedId);
  return { followerId: input.followerId, followedId: input.followedId, at: input.at ?? now };
}

export const followFields = (row: FollowRow) => ({ followerId: row.followerId, followedId: row.followedId });

/** What `follow` answers: who follows whom, by id. */
export interface FollowRecord {
  followerId: string;
  followedId: string;
}

export async function follow(tx: Tx, input: FollowInput, now: number): Promise<FollowRecord> {
  const row = parseFollow(input, now);
  await requireCustomers(tx, followFields(row));
  await tx.run(FOLLOW, { rows: [{ ...row, index: 0 }] });
  return followFields(row);
}

// Erasure keeps the node and its relationships, so referral, conversion and purchase counts stay right,
// but nothing that identifies the person: no id, name, email, review text, stored replay results, or identifier
// links (an identifier no other customer is linked to goes with them; the fraud rules then no longer see them).
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
   CALL (c) {
     MATCH (c)-[link:HAS_IDENTIFIER]->(i:Identifier)
     DELETE link
     WITH DISTINCT i WHERE NOT EXISTS { (i)<-[:HAS_IDENTIFIER]-() }
     DELETE i
   }
   RETURN count(c) AS erased`,
);

export async function eraseCustomer(graph: Graph, id: string, now = Date.now()): Promise<boolean> {
  const [row] = await graph.write(ERASE_CUSTOMER, { id, anonymousId: `erased-${crypto.randomUUID()}`, now });
  if (!row || row.erased === 0) throw notFound('id', `no customer with id "${id}".`);
  return true;
}
