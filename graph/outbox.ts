import crypto from 'node:crypto';
import { WRITE_LOCK } from './locks';
import { cypher, Graph, Tx } from './neo4j';
import { CREDITED_CHAIN_ABOVE } from './referrals';
import type { ReferralRecord } from './model';

/**
 * Domain events, written to a transactional outbox.
 *
 * A writer calls `emitEvents(tx, events)` inside the transaction that changes the graph: the events become
 * one `(:OutboxBatch)` node in that same transaction, so they exist exactly when the change does. A rolled-back
 * batch leaves none, and an idempotent replay never calls the writer, so it emits none. After the commit the
 * server relays the batches to a Redis Stream and deletes them (server/live/outboxRelay.ts); a job sweeps
 * batches a crash left behind.
 *
 * Ordering: every event belongs to a referral tree (the root of the credited chain above the customer it is
 * about; a customer without a credited referrer is the root of their own tree). Each tree has an
 * `(:EventTree {rootKey})` node (the root's elementId) holding the last sequence number given out; emitting write-locks it, so the
 * events of one tree are numbered in commit order, and the relay publishes them in that order.
 *
 * One node per transaction, not per event: a 1,000-event batch emits about 800 events, and 800 nodes with their
 * index entries cost several times one node holding them as a list, to write, to read and to delete. The relay
 * reads batches in `stamp` order: the database clock's reading when the batch is written, raised above the last
 * stamp its trees gave out. A transaction writes its batch while it holds its trees' locks, so for any one tree an
 * earlier-numbered batch always has the smaller stamp, and a page never holds a tree's later events without its
 * earlier ones (unless those are being relayed by another process at the same time: the stream's script then holds
 * the later ones, see server/live/eventStream.ts).
 *
 * Events carry ids and times only, never personal data.
 */
export const DOMAIN_EVENT_TYPES = [
  'CustomerSignedUp',
  'ReferralCredited',
  'ReferralConverted',
  'ReferralHeld',
  'RewardChanged',
  'ReviewPosted',
  'ChainGrew',
] as const;

export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

/** What an event names: ids (and a generation number), nothing else. */
export interface EventIds {
  customerId?: string;
  referrerId?: string;
  inviteeId?: string;
  campaignId?: string;
  productId?: string;
  rewardId?: string;
  /** ChainGrew: the generation the tree reached (the root's direct referrals are generation 1). */
  generation?: number;
}

/** An event as a writer emits it: its type, the customer whose tree orders it, and the ids it names. */
export interface NewEvent {
  type: DomainEventType;
  /** The customer the event is about; their tree's root orders it. */
  subjectId: string;
  ids: EventIds;
}

/** An event once emitted: as it sits in the outbox and travels on the stream. */
export interface DomainEvent extends EventIds {
  id: string;
  type: DomainEventType;
  /** When it was emitted (epoch ms): the write's transaction time, as the writer's clock saw it. */
  at: number;
  /** The root of the referral tree the event belongs to. */
  rootCustomerId: string;
  /**
   * The tree's key: the root's elementId, which erasure does not rewrite (it rewrites `id`), so no erased id
   * stays behind in the sequence node or the stream's sequence hash. Internal: not in payloads.
   */
  tree: string;
  /** Position in its tree's sequence, from 1: commit order within the tree. */
  seq: number;
}

// The root of the credited chain above each subject and the subject's depth below it; for a credit, also
// how deep the tree below the subject reaches (a customer whose own invitees signed up first brings them along).
// Then, once every subject's tree is known (the collect is a barrier), write-locks each tree's sequence node in
// key order (so writers queue rather than deadlock) and reads its last sequence number and the deepest generation
// it has announced. A tree seen for the first time reports how deep it already is, so that a tree older than the
// outbox does not announce old generations. One statement: a round trip fewer for every write that emits.
const LOCK_EVENT_TREES = cypher<{
  trees: Array<{ id: string; rootId: string; rootKey: string; depth: number; height: number }>;
  locks: Array<{ rootKey: string; seq: number; generations: number | null; depthNow: number }>;
}>(
  'outbox.lockTrees',
  `CALL () {
     UNWIND $subjects AS s
     MATCH (c:Customer {id: s.id})
     ${CREDITED_CHAIN_ABOVE('c', 's, c')}
     OPTIONAL MATCH down = (c) (()-[d:REFERRED WHERE d.signedUpAt IS NOT NULL]->()){1,1000} (:Customer) WHERE s.credit
     WITH s, c, longest, max(length(down)) AS height
     WITH s, CASE WHEN longest IS NULL THEN c ELSE last(nodes(longest)) END AS root, longest, height
     RETURN collect({id: s.id, rootId: root.id, rootKey: elementId(root), depth: coalesce(length(longest), 0), height: coalesce(height, 0)}) AS trees
   }
   CALL (trees) {
     UNWIND trees AS t
     WITH DISTINCT t.rootKey AS rootKey
     ORDER BY rootKey
     MERGE (tree:EventTree {rootKey: rootKey})
     ON CREATE SET tree.seq = 0
     ${WRITE_LOCK('tree')}
     WITH rootKey, tree
     MATCH (root:Customer) WHERE elementId(root) = rootKey
     OPTIONAL MATCH down = (root) (()-[d:REFERRED WHERE d.signedUpAt IS NOT NULL]->()){1,1000} (:Customer)
       WHERE tree.generations IS NULL
     WITH rootKey, tree.seq AS seq, tree.generations AS generations, coalesce(max(length(down)), 0) AS depthNow
     RETURN collect({rootKey: rootKey, seq: seq, generations: generations, depthNow: depthNow}) AS locks
   }
   RETURN trees, locks`,
);

// The batch's stamp: microseconds since the epoch by the database's clock, read as the batch is written (after the
// trees' locks were taken), and raised above the last stamp of each of its trees, so that a tree's batches are stamped
// in their numbering order even if the clock steps back. It orders batches for the relay; ties are broken by id.
// Each tree is found once: collected with its new numbers, then updated once the stamp is known.
const WRITE_OUTBOX = cypher<{ key: string }>(
  'outbox.write',
  `UNWIND $trees AS t
   MATCH (tree:EventTree {rootKey: t.rootKey})
   WITH collect({tree: tree, seq: t.seq, generations: t.generations}) AS trees, max(tree.stamp) AS latest
   WITH trees, latest, datetime.realtime() AS now
   WITH trees, latest, now.epochMillis * 1000 + now.microsecond % 1000 AS clock
   WITH trees, CASE WHEN latest IS NOT NULL AND latest >= clock THEN latest + 1 ELSE clock END AS stamp
   CALL (trees, stamp) {
     UNWIND trees AS t
     WITH t.tree AS tree, t
     SET tree.seq = t.seq, tree.generations = t.generations, tree.stamp = stamp
   }
   CREATE (batch:OutboxBatch {id: $id, stamp: stamp, size: size($events), events: $events})
   RETURN elementId(batch) AS key`,
);

/**
 * Emits `events` in `tx`: they are stored in the outbox with the write and published after it commits.
 * A credit (ReferralCredited) that takes its tree to a generation it never reached also emits ChainGrew.
 * Returns the events as stored.
 */
export async function emitEvents(tx: Tx, events: readonly NewEvent[], now = Date.now()): Promise<DomainEvent[]> {
  const { write, stored } = await numberEvents(tx, events, now);
  if (write) write.written((await tx.run(write.statement, write.params))[0].key);
  return stored;
}

/** The statement that stores a transaction's numbered events, and what to call with the key it returns. */
export interface OutboxWrite {
  statement: typeof WRITE_OUTBOX;
  params: Record<string, unknown>;
  /** Hands the stored batch to this process's relay once the transaction commits (see onEventsCommitted). */
  written(key: string): void;
}

/**
 * emitEvents up to the write: the events numbered under their trees' locks, and the statement that stores
 * them, for a caller that sends it together with its own last statement (graph/batch/run.ts). The caller
 * must run `write` in `tx` and pass its row's key to `written`.
 */
export async function numberEvents(tx: Tx, events: readonly NewEvent[], now = Date.now()): Promise<{ write: OutboxWrite | null; stored: DomainEvent[] }> {
  if (events.length === 0) return { write: null, stored: [] };
  const credits = new Set(events.filter((event) => event.type === 'ReferralCredited').map((event) => event.subjectId));
  const subjects = [...new Set(events.map((event) => event.subjectId))].map((id) => ({ id, credit: credits.has(id) }));
  const [found] = await tx.run(LOCK_EVENT_TREES, { subjects });
  const trees = new Map(found.trees.map((row) => [row.id, row]));
  const locked = new Map(found.locks.map((row) => [row.rootKey, row]));

  // For a tree seen for the first time: the deepest generation this call's credits reach in it.
  const deepestCredit = new Map<string, number>();
  for (const event of events) {
    const tree = trees.get(event.subjectId);
    if (event.type !== 'ReferralCredited' || !tree) continue;
    deepestCredit.set(tree.rootKey, Math.max(deepestCredit.get(tree.rootKey) ?? 0, tree.depth + tree.height));
  }

  const stored: DomainEvent[] = [];
  const state = new Map<string, { seq: number; generations: number }>();
  for (const event of events) {
    const tree = trees.get(event.subjectId);
    // A writer emits only about customers it has just written; a missing one is a bug, not bad input.
    if (!tree) throw new Error(`emitEvents: no customer "${event.subjectId}" for ${event.type}`);
    const lock = locked.get(tree.rootKey)!;
    const reached = tree.depth + tree.height;
    let current = state.get(tree.rootKey);
    if (!current) {
      // First seen: the tree is now `depthNow` deep, this call's credits included. When they reach that
      // deep, they are taken to have made the deepest generation (a tree older than the outbox whose deepest
      // generation already had members may so announce it once); otherwise it was that deep before.
      const credited = deepestCredit.get(tree.rootKey) ?? 0;
      const known = lock.generations ?? (credited >= lock.depthNow ? credited - 1 : lock.depthNow);
      current = { seq: lock.seq, generations: known };
      state.set(tree.rootKey, current);
    }
    const add = (type: DomainEventType, ids: EventIds) => {
      current!.seq += 1;
      stored.push({ id: crypto.randomUUID(), type, at: now, rootCustomerId: tree.rootId, tree: tree.rootKey, seq: current!.seq, ...ids });
    };
    add(event.type, event.ids);
    if (event.type === 'ReferralCredited' && reached > current.generations) {
      current.generations = reached;
      add('ChainGrew', { customerId: event.subjectId, campaignId: event.ids.campaignId, generation: reached });
    }
  }
  const id = crypto.randomUUID();
  const params = {
    id,
    trees: [...state].map(([rootKey, { seq, generations }]) => ({ rootKey, seq, generations })),
    events: stored.map((event) => JSON.stringify(event)),
  };
  const written = (key: string) => tx.afterCommit?.(() => notifyCommitted({ key, id, events: stored }));
  return { write: { statement: WRITE_OUTBOX, params, written }, stored };
}

/** The events of a sign-up: the customer signed up; the referral credited (and converted, with backfilled purchases). */
export function signupEvents(customerId: string, referral: ReferralRecord | null): NewEvent[] {
  const events: NewEvent[] = [{ type: 'CustomerSignedUp', subjectId: customerId, ids: { customerId, referrerId: referral?.referrerId, campaignId: referral?.campaignId ?? undefined } }];
  if (!referral) return events;
  // A held referral keeps the credit but is not one yet for anyone who pays or counts: it announces itself as held.
  if (referral.status === 'HELD') return [...events, referralHeldEvent(customerId, referral.referrerId, referral.campaignId)];
  const ids = { customerId, referrerId: referral.referrerId, inviteeId: customerId, campaignId: referral.campaignId ?? undefined };
  events.push({ type: 'ReferralCredited', subjectId: customerId, ids });
  if (referral.status === 'CONVERTED') events.push({ type: 'ReferralConverted', subjectId: customerId, ids });
  return events;
}

/** A held referral approved by a manager: now credited, and converted when the invitee has bought since. */
export function approvedReferralEvents(referral: ReferralRecord): NewEvent[] {
  const inviteeId = referral.inviteeId;
  const ids = { customerId: inviteeId, referrerId: referral.referrerId, inviteeId, campaignId: referral.campaignId ?? undefined };
  const events: NewEvent[] = [{ type: 'ReferralCredited', subjectId: inviteeId, ids }];
  if (referral.status === 'CONVERTED') events.push({ type: 'ReferralConverted', subjectId: inviteeId, ids });
  return events;
}

/** A purchase that converted the buyer's credited referral. */
export const conversionEvent = (inviteeId: string, conversion: { referrerId: string; campaignId: string | null }): NewEvent => ({
  type: 'ReferralConverted',
  subjectId: inviteeId,
  ids: { customerId: inviteeId, referrerId: conversion.referrerId, inviteeId, campaignId: conversion.campaignId ?? undefined },
});

export const reviewEvent = (customerId: string, productId: string): NewEvent => ({ type: 'ReviewPosted', subjectId: customerId, ids: { customerId, productId } });

/** A referral credited as held for review (graph/fraudRules.ts). */
export const referralHeldEvent = (inviteeId: string, referrerId: string, campaignId: string | null): NewEvent => ({
  type: 'ReferralHeld',
  subjectId: inviteeId,
  ids: { customerId: inviteeId, referrerId, inviteeId, campaignId: campaignId ?? undefined },
});

/** For the rewards writer: a reward of `customerId` changed (created, released, revoked). */
export const rewardChangedEvent = (customerId: string, rewardId: string, campaignId?: string): NewEvent => ({
  type: 'RewardChanged',
  subjectId: customerId,
  ids: { customerId, rewardId, campaignId },
});

// Relaying: after commit, and from the sweep.

type Listener = (batch: PendingBatch) => void;
const committedListeners = new Set<Listener>();

function notifyCommitted(batch: PendingBatch) {
  for (const listener of committedListeners) listener(batch);
}

/** Calls `listener` with the batch after each commit that emitted events in this process; returns the unsubscribe. */
export function onEventsCommitted(listener: Listener): () => void {
  committedListeners.add(listener);
  return () => committedListeners.delete(listener);
}

// The oldest batches by stamp, straight from outbox_batch_order (the hint keeps the planner from sorting every pending
// batch): up to $maxBatches in order, cut after the one that brings the page to $maxEvents events. A page costs its
// own batches, not the backlog; `more` says whether batches were left behind.
const PENDING = cypher<{ key: string; id: string; events: string[]; more: boolean }>(
  'outbox.pending',
  `MATCH (b:OutboxBatch) USING INDEX b:OutboxBatch(stamp, id)
   WHERE b.stamp IS NOT NULL AND b.id IS NOT NULL
   WITH b ORDER BY b.stamp, b.id LIMIT $maxBatches
   WITH collect(b) AS page
   WITH page, reduce(cut = {events: 0, batches: 0}, b IN page |
          CASE WHEN cut.events < $maxEvents THEN {events: cut.events + b.size, batches: cut.batches + 1} ELSE cut END).batches AS taken
   UNWIND page[0..taken] AS b
   RETURN elementId(b) AS key, b.id AS id, b.events AS events, taken < size(page) OR size(page) = $maxBatches AS more`,
);

// Found by element id (a direct seek), checked by batch id: another relay may have deleted the batch first, and Neo4j
// reuses the ids of deleted nodes, so the element id alone could name a newer, unrelayed batch.
const DELETE = cypher(
  'outbox.delete',
  `UNWIND $batches AS batch
   MATCH (b:OutboxBatch) WHERE elementId(b) = batch.key AND b.id = batch.id
   DELETE b`,
);

const PENDING_COUNT = cypher<{ events: number }>('outbox.pendingCount', 'MATCH (b:OutboxBatch) RETURN coalesce(sum(b.size), 0) AS events');

/** How many events wait to be relayed (a read of each pending batch's size). */
export async function pendingEventCount(graph: Graph): Promise<number> {
  const [row] = await graph.read(PENDING_COUNT);
  return row.events;
}

/** A transaction's events in the outbox, and the node's element id, which finds it again to delete it once relayed. */
export interface PendingBatch {
  key: string;
  id: string;
  events: DomainEvent[];
}

/**
 * The oldest pending batches, in relay order, holding about `maxEvents` events (at least one batch, however large);
 * `more` when batches were left for another page.
 */
export async function pendingBatches(graph: Graph, maxEvents: number): Promise<{ batches: PendingBatch[]; more: boolean }> {
  const rows = await graph.read(PENDING, { maxEvents, maxBatches: maxEvents });
  return {
    batches: rows.map((row) => ({ key: row.key, id: row.id, events: row.events.map((event) => JSON.parse(event) as DomainEvent) })),
    more: rows.length > 0 && rows[0].more,
  };
}

/** Forgets relayed batches (a batch already gone is skipped). */
export async function deleteRelayed(graph: Graph, batches: readonly PendingBatch[]): Promise<void> {
  if (batches.length > 0) await graph.write(DELETE, { batches: batches.map(({ key, id }) => ({ key, id })) });
}
