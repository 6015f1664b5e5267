import type { FunnelStage, UpsertCustomerInput, ConnectCustomersInput, DisconnectCustomersInput, FollowInput } from '../schema/generated/types';
import { badInput, conflict, notFound } from './errors';
import { CustomerRecord, stageRank } from './model';
import { cypher, Graph, Tx } from './neo4j';
import { checkEmail, checkId, checkNumberRange, checkText } from './validate';

/** The map projection every customer query returns, so one mapper reads them all. */
export const CUSTOMER_PROJECTION = '{.id, .name, .email, .stage, .createdAt, .signedUpAt}';

/** Moves `c` to stage $stage when that is later than where it stands; never back. */
export const ADVANCE_STAGE = (variable: string, stageParam: string, rankParam: string) =>
  `SET ${variable}.stage = CASE WHEN ${variable}.stageRank < ${rankParam} THEN ${stageParam} ELSE ${variable}.stage END,
       ${variable}.stageRank = CASE WHEN ${variable}.stageRank < ${rankParam} THEN ${rankParam} ELSE ${variable}.stageRank END`;

export const toCustomer = (value: unknown): CustomerRecord => value as CustomerRecord;

// Uses the customer_id constraint.
const CUSTOMERS_BY_ID = cypher(
  'customer.byIds',
  `UNWIND $ids AS id MATCH (c:Customer {id: id}) RETURN c ${CUSTOMER_PROJECTION} AS customer`,
);

const CUSTOMER_STATE = cypher(
  'customer.state',
  `OPTIONAL MATCH (c:Customer {id: $id})
   OPTIONAL MATCH (other:Customer {email: $email}) WHERE other.id <> $id
   RETURN c.stageRank AS stageRank, c.stage AS stage, other IS NOT NULL AS emailTaken`,
);

const UPSERT_CUSTOMER = cypher(
  'customer.upsert',
  `MERGE (c:Customer {id: $id})
   ON CREATE SET c.createdAt = $now, c.stage = 'STRANGER', c.stageRank = 0
   SET c.name = coalesce($name, c.name), c.email = coalesce($email, c.email)
   WITH c
   SET c.stage = CASE WHEN $stage IS NULL THEN c.stage ELSE $stage END,
       c.stageRank = CASE WHEN $stage IS NULL THEN c.stageRank ELSE $rank END
   RETURN c ${CUSTOMER_PROJECTION} AS customer`,
);

/** Creates or updates a customer; the email stays unique, the stage moves back only with resetStage. */
export async function upsertCustomer(tx: Tx, input: UpsertCustomerInput, now: number, path = 'input'): Promise<CustomerRecord> {
  const id = checkId(`${path}.id`, input.id);
  const email = checkEmail(`${path}.email`, input.email);
  const name = checkText(`${path}.name`, input.name, 200);
  const [state] = await tx.run(CUSTOMER_STATE, { id, email: email ?? null });
  if (state.emailTaken) throw conflict(`${path}.email`, `another customer already has this email.`);
  const stage: FunnelStage | null = input.stage ?? null;
  const rank = stage === null ? null : stageRank(stage);
  if (rank !== null && typeof state.stageRank === 'number' && rank < state.stageRank && !input.resetStage) {
    throw badInput(`${path}.stage`, `stage cannot move back from ${String(state.stage)} to ${stage} unless resetStage is true.`);
  }
  const [row] = await tx.run(UPSERT_CUSTOMER, { id, name: name ?? null, email: email ?? null, stage, rank, now });
  return toCustomer(row.customer);
}

export async function customersByIds(graph: Graph, ids: readonly string[]): Promise<Map<string, CustomerRecord>> {
  const rows = await graph.read(CUSTOMERS_BY_ID, { ids: [...new Set(ids)] });
  return new Map(rows.map((row) => [toCustomer(row.customer).id, toCustomer(row.customer)]));
}

const EXISTING_IDS = cypher('customer.existing', 'UNWIND $ids AS id MATCH (c:Customer {id: id}) RETURN collect(c.id) AS ids');

/** Throws NOT_FOUND naming the first field whose customer does not exist. */
export async function requireCustomers(tx: Tx, fields: Record<string, string>): Promise<void> {
  const [row] = await tx.run(EXISTING_IDS, { ids: Object.values(fields) });
  const existing = new Set(row.ids as string[]);
  for (const [field, id] of Object.entries(fields)) {
    if (!existing.has(id)) throw notFound(field, `no customer with id "${id}".`);
  }
}

/** The same check in a read transaction of its own, for queries that write nothing. */
export const requireCustomersIn = (graph: Graph, fields: Record<string, string>) => graph.readTransaction((tx) => requireCustomers(tx, fields));

function checkPair(path: string, customerField: string, otherField: string, customerId: string, otherId: string) {
  checkId(`${path}.${customerField}`, customerId);
  checkId(`${path}.${otherField}`, otherId);
  if (customerId === otherId) throw badInput(`${path}.${otherField}`, `a customer cannot be connected to themselves.`);
}

// One KNOWS per pair: the undirected MERGE matches either direction before creating one.
const CONNECT = cypher(
  'customer.connect',
  `MATCH (a:Customer {id: $customerId}), (b:Customer {id: $otherId})
   MERGE (a)-[k:KNOWS]-(b)
   ON CREATE SET k.since = $since
   SET k.strength = $strength
   RETURN k.strength AS strength, k.since AS since`,
);

export interface ConnectionRecord {
  customerId: string;
  otherId: string;
  strength: number;
  since: number;
}

export async function connectCustomers(tx: Tx, input: ConnectCustomersInput, now: number, path = 'input'): Promise<ConnectionRecord> {
  checkPair(path, 'customerId', 'otherId', input.customerId, input.otherId);
  const strength = checkNumberRange(`${path}.strength`, input.strength ?? 0.5, 0, 1);
  await requireCustomers(tx, { [`${path}.customerId`]: input.customerId, [`${path}.otherId`]: input.otherId });
  const [row] = await tx.run(CONNECT, { customerId: input.customerId, otherId: input.otherId, strength, since: input.since ?? now });
  return { customerId: input.customerId, otherId: input.otherId, strength: row.strength as number, since: row.since as number };
}

const DISCONNECT = cypher(
  'customer.disconnect',
  `MATCH (:Customer {id: $customerId})-[k:KNOWS]-(:Customer {id: $otherId})
   DELETE k
   RETURN count(k) AS removed`,
);

export async function disconnectCustomers(graph: Graph, input: DisconnectCustomersInput): Promise<boolean> {
  checkPair('input', 'customerId', 'otherId', input.customerId, input.otherId);
  const [row] = await graph.write(DISCONNECT, { customerId: input.customerId, otherId: input.otherId });
  return (row.removed as number) > 0;
}

// Following someone is engagement: the follower is at least a FOLLOWER.
const FOLLOW = cypher(
  'customer.follow',
  `MATCH (a:Customer {id: $followerId}), (b:Customer {id: $followedId})
   MERGE (a)-[f:FOLLOWS]->(b)
   ON CREATE SET f.at = $at
   WITH a
   ${ADVANCE_STAGE('a', "'FOLLOWER'", '1')}`,
);

export async function follow(tx: Tx, input: FollowInput, now: number, path = 'input'): Promise<{ followerId: string; followedId: string }> {
  checkPair(path, 'followerId', 'followedId', input.followerId, input.followedId);
  await requireCustomers(tx, { [`${path}.followerId`]: input.followerId, [`${path}.followedId`]: input.followedId });
  await tx.run(FOLLOW, { followerId: input.followerId, followedId: input.followedId, at: input.at ?? now });
  return { followerId: input.followerId, followedId: input.followedId };
}
