import type { EventInput, EventKind } from '../schema/generated/types';
import { recordPurchase, recordReview } from './commerce';
import { connectCustomers, follow, upsertCustomer } from './customers';
import { badInput, DomainError } from './errors';
import { IdempotencyLedger } from './idempotency';
import { recordInvite, recordReferralClick } from './invites';
import { BatchEvent, checkEventInput, OneByOneRequired, writeInBulk } from './batch/run';
import { Graph, Tx } from './neo4j';
import { issueReferralCode } from './referralCodes';
import { recordSignup } from './signup';
import { checkIdempotencyKey } from './validate';

/** A writer names fields relative to its own input; the runner below says where that input sits. */
type Writer<I, R> = (tx: Tx, input: I, now: number) => Promise<R>;

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
  // Idempotent twice over: per key, and one code per customer and campaign.
  ISSUE_REFERRAL_CODE: spec({ field: 'issueReferralCode', write: issueReferralCode, subjects: (input) => [input.customerId] }),
} satisfies Record<EventKind, { field: keyof EventInput }>;

type Events = typeof EVENTS;
export type EventInputOf<K extends EventKind> = Parameters<Events[K]['write']>[1];
export type EventResultOf<K extends EventKind> = Awaited<ReturnType<Events[K]['write']>>;

export const MAX_BATCH_EVENTS = 1000;

const keyOf = (input: unknown) => (input as { idempotencyKey?: string }).idempotencyKey;

/** The event's idempotency key once its form is checked (throws the field's DomainError); undefined without one. */
function checkedKeyOf(input: unknown): string | undefined {
  const key = keyOf(input);
  return key === undefined ? undefined : checkIdempotencyKey('idempotencyKey', key);
}

async function applyEvent<K extends EventKind>(tx: Tx, ledger: IdempotencyLedger, kind: K, input: EventInputOf<K>, now: number) {
  const event = EVENTS[kind] as unknown as EventSpec<EventInputOf<K>, EventResultOf<K>>;
  const key = keyOf(input);
  if (key === undefined) return { result: await event.write(tx, input, now), replayed: false };
  return ledger.once('idempotencyKey', key, kind, input, async () => {
    const result = await event.write(tx, input, now);
    return { result, subjects: event.subjects(input, result) };
  });
}

/** Errors of the event at `prefix`, named from there; `label` also prefixes the message (a batch names the event). */
const reported = (error: unknown, prefix: string, label?: string) => (error instanceof DomainError ? error.under(prefix, label) : error);

/** One event in its own transaction: what the single mutations call. */
export async function recordEvent<K extends EventKind>(graph: Graph, kind: K, input: EventInputOf<K>, now = Date.now()) {
  try {
    const key = checkedKeyOf(input);
    return await graph.writeTransaction(async (tx) => {
      const ledger = await IdempotencyLedger.open(tx, key === undefined ? [] : [key], now);
      const outcome = await applyEvent(tx, ledger, kind, input, now);
      await ledger.close();
      return outcome;
    });
  } catch (error) {
    throw reported(error, 'input');
  }
}

export interface BatchResult {
  index: number;
  kind: EventKind;
  replayed: boolean;
}

/** The one kind an event sets; the SDL's @oneOf already guarantees exactly one field is set. */
function kindOf(event: EventInput): EventKind {
  return (Object.keys(EVENTS) as EventKind[]).find((kind) => event[EVENTS[kind].field] != null)!;
}

/** A batch checked before any transaction: its size, and every idempotency key's form. */
function prepareBatch(events: readonly EventInput[]) {
  if (events.length === 0) throw badInput('events', 'events must hold at least one event.');
  if (events.length > MAX_BATCH_EVENTS) throw badInput('events', `events holds ${events.length} events; the limit is ${MAX_BATCH_EVENTS}.`);
  const kinds = events.map(kindOf);
  const inputs = events.map((event, index) => event[EVENTS[kinds[index]].field]);
  const where = (index: number) => `events[${index}].${EVENTS[kinds[index]].field}`;
  const label = (index: number) => `events[${index}] (${EVENTS[kinds[index]].field})`;
  const report = (index: number, error: unknown) => reported(error, where(index), label(index));
  const keys: string[] = [];
  for (const [index, input] of inputs.entries()) {
    try {
      const key = checkedKeyOf(input);
      if (key !== undefined) keys.push(key);
    } catch (error) {
      throw report(index, error);
    }
  }
  return { kinds, inputs, keys, report };
}

const subjectsOf = (kind: EventKind, input: unknown, result: unknown) => (EVENTS[kind] as unknown as EventSpec<unknown, unknown>).subjects(input, result);

/** `events` in one transaction through the set-based path, their `keys` claimed when it opens and stored when it closes. */
function writeTogether(graph: Graph, keys: readonly string[], events: readonly BatchEvent[], now: number, report: (index: number, error: unknown) => unknown) {
  return graph.writeTransaction(async (tx) => {
    const ledger = await IdempotencyLedger.open(tx, keys, now);
    const outcome = await writeInBulk(tx, ledger, events, now, subjectsOf, report);
    await ledger.close();
    return outcome;
  });
}

/**
 * All events in one transaction, with the outcome of writing them one by one in order, but set-based:
 * a handful of statements per kind of event rather than several per event (see graph/batch/run.ts).
 * A failing event rolls back the batch and is named.
 */
export async function recordEvents(graph: Graph, events: readonly EventInput[], now = Date.now()): Promise<BatchResult[]> {
  const { kinds, inputs, keys, report } = prepareBatch(events);
  try {
    const { replayed } = await writeTogether(graph, keys, inputs.map((input, index) => ({ kind: kinds[index], input })), now, report);
    return replayed.map((wasReplayed, index) => ({ index, kind: kinds[index], replayed: wasReplayed }));
  } catch (error) {
    if (error instanceof OneByOneRequired) return recordEventsOneByOne(graph, events, now);
    throw error;
  }
}

export type EventOutcome<R = unknown> = { result: R; replayed: boolean } | { error: unknown };

/** How often a set of independent events is written together again after one of them failed its rules. */
export const MAX_TOGETHER_ATTEMPTS = 3;

/** Marks the event a batch failed on, so that only that event gets the error. */
class FailedEvent extends Error {
  constructor(readonly position: number, readonly failure: unknown) {
    super('an event of the batch failed');
  }
}

/**
 * Independent events (single mutations that arrived at the same time) written in as few transactions as
 * their outcomes allow, each with the outcome it would have had in its own transaction right after the ones
 * before it: its result or its replay, or its own error named from `input`.
 *
 * They go through the set-based path together. When one fails its rules the batch rolls back, that event
 * gets its error, and the others are written together again, up to MAX_TOGETHER_ATTEMPTS times. Events
 * whose input is malformed, batches the set-based path does not write (OneByOneRequired), a failure no
 * event is named for, and whatever is left after the attempts each go through recordEvent on their own.
 */
export async function recordIndependentEvents(graph: Graph, events: ReadonlyArray<{ kind: EventKind; input: unknown }>, now = Date.now()): Promise<EventOutcome[]> {
  const outcomes: EventOutcome[] = new Array<EventOutcome>(events.length);
  const wellFormed = (index: number) => {
    try {
      const { kind, input } = events[index];
      checkedKeyOf(input);
      checkEventInput(kind, input, now);
      return true;
    } catch {
      return false;
    }
  };
  // A malformed event is answered alone, so it never costs the others a rolled-back batch.
  const alone: number[] = [];
  let together: number[] = [];
  events.forEach((_, index) => (wellFormed(index) ? together : alone).push(index));
  for (let attempt = 0; together.length > 1 && attempt < MAX_TOGETHER_ATTEMPTS; attempt++) {
    const batch = together;
    const keys = batch.flatMap((index) => keyOf(events[index].input) ?? []);
    try {
      const written = await writeTogether(graph, keys, batch.map((index) => events[index]), now, (position, error) => new FailedEvent(position, error));
      batch.forEach((index, position) => (outcomes[index] = { result: written.results[position], replayed: written.replayed[position] }));
      together = [];
    } catch (error) {
      if (!(error instanceof FailedEvent) || !(error.failure instanceof DomainError)) break;
      outcomes[batch[error.position]] = { error: error.failure.under('input') };
      together = batch.filter((_, position) => position !== error.position);
    }
  }
  await Promise.all(
    [...alone, ...together].map(async (index) => {
      const { kind, input } = events[index];
      try {
        outcomes[index] = await recordEvent(graph, kind, input as never, now);
      } catch (error) {
        outcomes[index] = { error };
      }
    }),
  );
  return outcomes;
}

/** The reference for recordEvents: the same batch, each event through its single writer, in order. */
export async function recordEventsOneByOne(graph: Graph, events: readonly EventInput[], now = Date.now()): Promise<BatchResult[]> {
  const { kinds, inputs, keys, report } = prepareBatch(events);
  return graph.writeTransaction(async (tx) => {
    const ledger = await IdempotencyLedger.open(tx, keys, now);
    const results: BatchResult[] = [];
    for (const [index, input] of inputs.entries()) {
      try {
        const { replayed } = await applyEvent(tx, ledger, kinds[index], input as never, now);
        results.push({ index, kind: kinds[index], replayed });
      } catch (error) {
        throw report(index, error);
      }
    }
    await ledger.close();
    return results;
  });
}
