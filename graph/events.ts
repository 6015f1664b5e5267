import crypto from 'node:crypto';
import type { EventInput, EventKind, IssueReferralCodeInput } from '../schema/generated/types';
import { connectCustomers, follow, upsertCustomer } from './customers';
import { recordPurchase, recordReview } from './commerce';
import { badInput, DomainError, notFound } from './errors';
import { IdempotencyLedger } from './idempotency';
import { cypher, Graph, Tx } from './neo4j';
import { issueReferralCode, recordInvite, recordReferralClick, recordSignup } from './referrals';
import { checkIdempotencyKey } from './validate';

type Writer<I, R> = (tx: Tx, input: I, now: number, path: string) => Promise<R>;

interface EventSpec<I, R> {
  field: keyof EventInput;
  write: Writer<I, R>;
  /** The customers the result names: erasing one forgets stored results that mention them. */
  subjects: (input: I, result: R) => string[];
}

const spec = <I, R>(value: EventSpec<I, R>) => value;

/** Every event product code can record, by kind: the batch and the single mutations share these. */
export const EVENTS = {
  UPSERT_CUSTOMER: spec({ field: 'upsertCustomer', write: upsertCustomer, subjects: (input) => [input.id] }),
  CONNECT_CUSTOMERS: spec({ field: 'connectCustomers', write: connectCustomers, subjects: (input) => [input.customerId, input.otherId] }),
  FOLLOW: spec({ field: 'follow', write: follow, subjects: (input) => [input.followerId, input.followedId] }),
  RECORD_INVITE: spec({ field: 'recordInvite', write: recordInvite, subjects: (_input, result) => [result.referrerId, result.inviteeId] }),
  RECORD_REFERRAL_CLICK: spec({ field: 'recordReferralClick', write: recordReferralClick, subjects: (_input, result) => [result.referrerId, result.inviteeId] }),
  RECORD_SIGNUP: spec({
    field: 'recordSignup',
    write: recordSignup,
    subjects: (input, result) => [input.customerId, ...(result.referral ? [result.referral.referrerId] : [])],
  }),
  RECORD_PURCHASE: spec({ field: 'recordPurchase', write: recordPurchase, subjects: (input) => [input.customerId] }),
  RECORD_REVIEW: spec({ field: 'recordReview', write: recordReview, subjects: (input) => [input.customerId] }),
} satisfies Record<EventKind, { field: keyof EventInput }>;

type Events = typeof EVENTS;
export type EventInputOf<K extends EventKind> = Parameters<Events[K]['write']>[1];
export type EventResultOf<K extends EventKind> = Awaited<ReturnType<Events[K]['write']>>;

export const MAX_BATCH_EVENTS = 1000;

const keyOf = (input: unknown) => (input as { idempotencyKey?: string }).idempotencyKey;

async function applyEvent<K extends EventKind>(tx: Tx, ledger: IdempotencyLedger, kind: K, input: EventInputOf<K>, now: number, path: string) {
  const event = EVENTS[kind] as unknown as EventSpec<EventInputOf<K>, EventResultOf<K>>;
  const key = keyOf(input);
  if (key === undefined) return { result: await event.write(tx, input, now, path), replayed: false };
  return ledger.once(`${path}.idempotencyKey`, key, kind, input, async () => {
    const result = await event.write(tx, input, now, path);
    return { result, subjects: event.subjects(input, result) };
  });
}

/** One event in its own transaction: what the single mutations call. */
export async function recordEvent<K extends EventKind>(graph: Graph, kind: K, input: EventInputOf<K>, now = Date.now()) {
  const key = keyOf(input);
  if (key !== undefined) checkIdempotencyKey('input.idempotencyKey', key);
  return graph.writeTransaction(async (tx) => {
    const ledger = await IdempotencyLedger.open(tx, key === undefined ? [] : [key], now);
    const outcome = await applyEvent(tx, ledger, kind, input, now, 'input');
    await ledger.close();
    return outcome;
  });
}

export interface BatchResult {
  index: number;
  kind: EventKind;
  replayed: boolean;
}

function kindOf(event: EventInput, index: number): EventKind {
  const set = (Object.keys(EVENTS) as EventKind[]).filter((kind) => event[EVENTS[kind].field] != null);
  if (set.length !== 1) {
    throw badInput(`events[${index}]`, `events[${index}] must set exactly one of ${Object.values(EVENTS).map((e) => e.field).join(', ')}; it sets ${set.length}.`);
  }
  return set[0];
}

/** All events in one transaction, in order: a failing event rolls back the batch and is named. */
export async function recordEvents(graph: Graph, events: readonly EventInput[], now = Date.now()): Promise<BatchResult[]> {
  if (events.length === 0) throw badInput('events', 'events must hold at least one event.');
  if (events.length > MAX_BATCH_EVENTS) throw badInput('events', `events holds ${events.length} events; the limit is ${MAX_BATCH_EVENTS}.`);
  const kinds = events.map(kindOf);
  const inputs = events.map((event, index) => event[EVENTS[kinds[index]].field]);
  const keys: string[] = [];
  for (const [index, input] of inputs.entries()) {
    const key = keyOf(input);
    if (key !== undefined) keys.push(checkIdempotencyKey(`events[${index}].${EVENTS[kinds[index]].field}.idempotencyKey`, key));
  }
  return graph.writeTransaction(async (tx) => {
    const ledger = await IdempotencyLedger.open(tx, keys, now);
    const results: BatchResult[] = [];
    for (const [index, input] of inputs.entries()) {
      const kind = kinds[index];
      const path = `events[${index}].${EVENTS[kind].field}`;
      try {
        const { replayed } = await applyEvent(tx, ledger, kind, input as never, now, path);
        results.push({ index, kind, replayed });
      } catch (error) {
        throw error instanceof DomainError ? error.within(`events[${index}] (${EVENTS[kind].field})`) : error;
      }
    }
    await ledger.close();
    return results;
  });
}

// Erasure keeps the node and its relationships, so referral, conversion and purchase counts stay right,
// but nothing that identifies the person: no id, name, email, review text, or stored replay results.
const ERASE_CUSTOMER = cypher(
  'customer.erase',
  `MATCH (c:Customer {id: $id})
   SET c.id = $anonymousId, c.name = null, c.email = null, c.erased = true, c.erasedAt = $now
   WITH c
   CALL (c) {
     MATCH (c)-[rv:REVIEWED]->()
     SET rv.text = null
   }
   CALL {
     MATCH (k:IdempotencyKey) WHERE $id IN k.subjects
     DETACH DELETE k
   }
   RETURN count(c) AS erased`,
);

export async function eraseCustomer(graph: Graph, id: string, now = Date.now()): Promise<boolean> {
  const [row] = await graph.write(ERASE_CUSTOMER, { id, anonymousId: `erased-${crypto.randomUUID()}`, now });
  if (!row || row.erased === 0) throw notFound('id', `no customer with id "${id}".`);
  return true;
}

/** Issuing a code is idempotent twice over: per key, and one code per customer and campaign. */
export async function issueReferralCodeOnce(graph: Graph, input: IssueReferralCodeInput, now = Date.now()) {
  checkIdempotencyKey('input.idempotencyKey', input.idempotencyKey);
  return graph.writeTransaction(async (tx) => {
    const ledger = await IdempotencyLedger.open(tx, [input.idempotencyKey], now);
    const { result } = await ledger.once('input.idempotencyKey', input.idempotencyKey, 'ISSUE_REFERRAL_CODE', input, async () => {
      const code = await issueReferralCode(tx, input, now);
      return { result: code, subjects: [input.customerId] };
    });
    await ledger.close();
    return result;
  });
}
