import type { EventKind } from '../../schema/generated/types';
import { IdempotencyLedger } from '../idempotency';
import { Tx } from '../neo4j';
import { follows, connectCustomers, upsertCustomers } from './customerKinds';
import { purchases, reviews } from './commerceKinds';
import { Forest } from './forest';
import { HoldTracker } from './holds';
import { BulkKind, Judge, Planned } from './kind';
import { OneByOneRequired, OutOfOrderCredit } from './oneByOne';
import { BatchOutbox } from './outbox';
import { part, runCombined, runSteps } from './combined';
import { levels, PlanFacts } from './plan';
import { clicks, invites, referralCodes, signups } from './referralKinds';

// The registry is heterogeneous by design: each entry is typed where it is defined (graph/batch/*Kinds.ts).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyBulkKind = BulkKind<any, any, any, any, any>;

const BULK: Record<EventKind, AnyBulkKind> = {
  UPSERT_CUSTOMER: upsertCustomers,
  CONNECT_CUSTOMERS: connectCustomers,
  FOLLOW: follows,
  RECORD_INVITE: invites,
  RECORD_REFERRAL_CLICK: clicks,
  RECORD_SIGNUP: signups,
  RECORD_PURCHASE: purchases,
  RECORD_REVIEW: reviews,
  ISSUE_REFERRAL_CODE: referralCodes,
};


export { OneByOneRequired, OutOfOrderCredit };

/** The checks of an event's input that need no database, as the batch runs them (throws the event's DomainError). */
export function checkEventInput(kind: EventKind, input: unknown, now: number): void {
  BULK[kind].parse(input, now);
}

export interface BatchEvent {
  kind: EventKind;
  input: unknown;
}

interface PlannedEvent extends Planned<unknown> {
  kind: EventKind;
  input: unknown;
  /** The idempotency key this event uses first in the batch, and its input's hash. */
  key?: { key: string; inputHash: string };
}

interface Failure {
  index: number;
  error: unknown;
}

export interface BulkOutcome {
  replayed: boolean[];
  /** Each event's result: the stored first result for a replay, else what its write returned. */
  results: unknown[];
}

/**
 * A batch written set-based, with the same outcome as writing its events one by one in order: the same
 * graph, the same replays, and on failure the same first failing event (and nothing written).
 *
 * 1. In batch order, each event's idempotency key is decided (replay, conflict or first use) and its
 *    input checked without the database; the first failure here ends the plan.
 * 2. One read of what planning needs (codes' owners, customers' current emails, which products exist),
 *    then each event gets a level (graph/batch/plan.ts): after the earlier events it depends on.
 * 3. Level by level: each kind's events are read in one statement (its state queries as parts of one,
 *    graph/batch/combined.ts), judged in batch order (the credited chains of the level's referrers read,
 *    and for a crediting level locked and read again with the fraud rules' reads, in one statement, see
 *    forest.ts), and written in one statement per kind. An event failing its rules stops every later event
 *    (by index) from running, while earlier ones still run: the failure reported is the first, as one by one.
 * 4. The domain events of the whole batch are numbered in their trees (one statement, graph/batch/outbox.ts),
 *    then stored together with the first uses' results for their keys (one statement).
 */
export async function writeInBulk(
  tx: Tx,
  ledger: IdempotencyLedger,
  events: readonly BatchEvent[],
  now: number,
  subjectsOf: (kind: EventKind, input: unknown, result: unknown) => string[],
  report: (index: number, error: unknown) => unknown,
): Promise<BulkOutcome> {
  const replayed = events.map(() => false);
  // A replay's result: stored by an earlier request, or (a key used twice in this batch) its first use's here.
  const replays = new Map<number, { stored: unknown } | { sameBatch: number }>();
  const firstUseInBatch = new Map<string, number>();
  const planned: PlannedEvent[] = [];
  let failure: Failure | undefined;
  for (const [index, { kind, input }] of events.entries()) {
    try {
      const key = (input as { idempotencyKey?: string }).idempotencyKey;
      const use = key === undefined ? undefined : ledger.reserve('idempotencyKey', key, kind, input);
      if (use?.replayed) {
        replayed[index] = true;
        const earlier = firstUseInBatch.get(key!);
        replays.set(index, earlier === undefined ? { stored: use.result } : { sameBatch: earlier });
        continue;
      }
      if (key !== undefined) firstUseInBatch.set(key, index);
      const parsed = BULK[kind].parse(input, now);
      planned.push({ index, kind, input, parsed, key: use && key !== undefined ? { key, inputHash: use.inputHash } : undefined });
    } catch (error) {
      failure = { index, error };
      break;
    }
  }

  const needs = planned.map((event) => BULK[event.kind].needs?.(event.parsed) ?? {});
  const facts = await PlanFacts.read(
    tx,
    needs.flatMap((need) => need.customers ?? []),
    needs.flatMap((need) => need.products ?? []),
    needs.flatMap((need) => need.codes ?? []),
  );
  const levelOf = levels(planned.map((event) => BULK[event.kind].access(event.parsed, facts)));
  const byLevel: PlannedEvent[][] = [];
  for (const [position, event] of planned.entries()) (byLevel[levelOf[position]] ??= []).push(event);

  const before = (index: number) => failure === undefined || index < failure.index;
  const forest = new Forest();
  const holds = new HoldTracker();
  const results = new Map<number, unknown>();
  const outbox = new BatchOutbox();
  for (const level of byLevel) {
    const live = level.filter((event) => before(event.index));
    if (live.length === 0) continue;
    forest.level += 1;
    const groups = groupByKind(live);
    const states = new Map<number, unknown>();
    for (const [kind, rows] of groups) for (const [index, state] of (await runSteps(tx, `batch.read.${kind}`, [BULK[kind].read(rows, facts)]))[0]) states.set(index, state);
    const credits = groups.has('RECORD_SIGNUP');
    const referrers = live.flatMap((event) => BULK[event.kind].referrers?.(event.parsed, states.get(event.index), facts) ?? []);
    // The sign-ups' rule reads go with the chains' locks: they must see them held.
    const settles = [...groups].flatMap(([kind, rows]) => BULK[kind].settle?.(rows, states, facts) ?? []);
    await forest.load(tx, referrers, credits, settles);
    for (const event of live) {
      const owner = BULK[event.kind].identifierOwner?.(event.parsed);
      if (owner) holds.linksIdentifiers(event.index, forest.level, owner);
    }

    const decided = new Map<number, unknown>();
    for (const event of live) {
      try {
        decided.set(event.index, BULK[event.kind].decide(event.parsed, states.get(event.index), judgeAt(forest, holds, event.index), facts));
      } catch (error) {
        if (error instanceof OneByOneRequired) throw error;
        if (before(event.index)) failure = { index: event.index, error };
      }
    }
    for (const [kind, rows] of groups) {
      const ready = rows.filter((row) => decided.has(row.index) && before(row.index)).map((row) => ({ ...row, decided: decided.get(row.index) }));
      if (ready.length === 0) continue;
      for (const [index, result] of (await runSteps(tx, `batch.write.${kind}`, [BULK[kind].write(ready, outbox)]))[0]) results.set(index, result);
    }
  }
  if (!forest.verdictsHold() || !holds.verdictsHold()) throw new OutOfOrderCredit();
  if (failure) throw report(failure.index, failure.error);

  for (const event of planned) {
    if (!event.key) continue;
    const result = results.get(event.index);
    ledger.remember(event.key.key, event.key.inputHash, result, subjectsOf(event.kind, event.input, result));
  }
  await storeOutboxAndKeys(tx, outbox, ledger);
  const resultOf = (index: number): unknown => {
    const replay = replays.get(index);
    if (!replay) return results.get(index);
    return 'stored' in replay ? replay.stored : resultOf(replay.sameBatch);
  };
  return { replayed, results: events.map((_, index) => resultOf(index)) };
}

/** The batch's outbox node (its events numbered under their trees' locks) and its keys' results, stored by one statement. */
async function storeOutboxAndKeys(tx: Tx, outbox: BatchOutbox, ledger: IdempotencyLedger): Promise<void> {
  const events = await outbox.number(tx);
  const keys = ledger.takeStore();
  const rows = await runCombined(tx, 'batch.finish', {
    events: events ? part(events.statement, events.params, ['key']) : undefined,
    keys: keys ? part(keys.statement, keys.params, []) : undefined,
  });
  if (events) events.written(rows.events[0].key);
}

function groupByKind(events: readonly PlannedEvent[]): Map<EventKind, PlannedEvent[]> {
  const groups = new Map<EventKind, PlannedEvent[]>();
  for (const event of events) {
    const group = groups.get(event.kind) ?? [];
    group.push(event);
    groups.set(event.kind, group);
  }
  return groups;
}

const judgeAt = (forest: Forest, holds: HoldTracker, index: number): Judge => ({
  closesCycle: (referrerId, inviteeId) => forest.closesCycle(index, referrerId, inviteeId),
  credit: (referrerId, inviteeId) => forest.credit(index, referrerId, inviteeId),
  hold: (credit, identifiers, stored) => holds.judge(index, forest.level, credit, identifiers, stored),
});
