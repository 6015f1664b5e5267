import crypto from 'node:crypto';
import { cypher, Graph, Tx } from './neo4j';
import { CREDITED_CHAIN_ABOVE } from './referrals';
import type { ReferralRecord } from './model';

/**
 * Domain events, written to a transactional outbox.
 *
 * A writer calls `emitEvents(tx, events)` inside the transaction that changes the graph: the events become
 * `(:OutboxEvent)` nodes in that same transaction, so they exist exactly when the change does. A rolled-back
 * batch leaves none, and an idempotent replay never calls the writer, so it emits none. After the commit the
 * server relays the rows to a Redis Stream and deletes them (server/live/outboxRelay.ts); a job sweeps rows
 * a crash left behind.
 *
 * Ordering: every event belongs to a referral tree (the root of the credited chain above the customer it is
 * about; a customer without a credited referrer is the root of their own tree). Each tree has an
 * `(:EventTree {rootKey})` node (the root's elementId) holding the last sequence number given out; emitting write-locks it, so the
 * events of one tree are numbered in commit order, and the relay publishes them in that order.
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
     SET tree.seq = tree.seq
     WITH rootKey, tree
     MATCH (root:Customer) WHERE elementId(root) = rootKey
     OPTIONAL MATCH down = (root) (()-[d:REFERRED WHERE d.signedUpAt IS NOT NULL]->()){1,1000} (:Customer)
       WHERE tree.generations IS NULL
     WITH rootKey, tree.seq AS seq, tree.generations AS generations, coalesce(max(length(down)), 0) AS depthNow
     RETURN collect({rootKey: rootKey, seq: seq, generations: generations, depthNow: depthNow}) AS locks
   }
   RETURN trees, locks`,
);

const WRITE_OUTBOX = cypher(
  'outbox.write',
  `CALL () {
     UNWIND $trees AS t
     MATCH (tree:EventTree {rootKey: t.rootKey})
     SET tree.seq = t.seq, tree.generations = t.generations
   }
   CALL () {
     UNWIND $events AS e
     CREATE (:OutboxEvent {id: e.id, type: e.type, at: e.at, rootId: e.rootCustomerId, tree: e.tree, seq: e.seq, payload: e.payload})
   }`,
);

const payloadOf = (ids: EventIds) => JSON.stringify(ids);

/**
 * Emits `events` in `tx`: they are stored in the outbox with the write and published after it commits.
 * A credit (ReferralCredited) that takes its tree to a generation it never reached also emits ChainGrew.
 * Returns the events as stored.
 */
export async function emitEvents(tx: Tx, events: readonly NewEvent[], now = Date.now()): Promise<DomainEvent[]> {
  const { write, stored } = await numberEvents(tx, events, now);
  if (write) await tx.run(write.statement, write.params);
  return stored;
}

/**
 * emitEvents up to the write: the events numbered under their trees' locks, and the statement that stores
 * them, for a caller that sends it together with its own last statement (graph/batch/run.ts). The caller
 * must run `write` in `tx`.
 */
export async function numberEvents(
  tx: Tx,
  events: readonly NewEvent[],
  now = Date.now(),
): Promise<{ write: { statement: typeof WRITE_OUTBOX; params: Record<string, unknown> } | null; stored: DomainEvent[] }> {
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
  tx.afterCommit?.(notifyCommitted);
  const params = {
    trees: [...state].map(([rootKey, { seq, generations }]) => ({ rootKey, seq, generations })),
    events: stored.map((event) => ({ ...event, payload: payloadOf(idsOf(event)) })),
  };
  return { write: { statement: WRITE_OUTBOX, params }, stored };
}

function idsOf(event: DomainEvent): EventIds {
  const { id: _id, type: _type, at: _at, rootCustomerId: _root, tree: _tree, seq: _seq, ...ids } = event;
  return ids;
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

type Listener = () => void;
const committedListeners = new Set<Listener>();

function notifyCommitted() {
  for (const listener of committedListeners) listener();
}

/** Calls `listener` after each commit that emitted events in this process; returns the unsubscribe. */
export function onEventsCommitted(listener: Listener): () => void {
  committedListeners.add(listener);
  return () => committedListeners.delete(listener);
}

// In relay order straight from outbox_event_order (the hint keeps the planner from sorting every pending row, which it
// would pick while the outbox looks small and keep after a backlog builds up): a page costs its own rows, not the backlog.
const PENDING = cypher<{ key: string; id: string; type: DomainEventType; at: number; rootId: string; tree: string; seq: number; payload: string }>(
  'outbox.pending',
  `MATCH (e:OutboxEvent) USING INDEX e:OutboxEvent(tree, seq)
   WHERE e.tree IS NOT NULL AND e.seq IS NOT NULL
   WITH e ORDER BY e.tree, e.seq LIMIT $limit
   RETURN elementId(e) AS key, e.id AS id, e.type AS type, e.at AS at, e.rootId AS rootId, e.tree AS tree, e.seq AS seq, e.payload AS payload`,
);

// Found by element id (a direct seek), checked by event id: another relay may have deleted the row first, and Neo4j
// reuses the ids of deleted nodes, so the element id alone could name a newer, unrelayed event.
const DELETE = cypher(
  'outbox.delete',
  `UNWIND $rows AS row
   MATCH (e:OutboxEvent) WHERE elementId(e) = row.key AND e.id = row.id
   DELETE e`,
);

const PENDING_COUNT = cypher<{ rows: number }>('outbox.pendingCount', 'MATCH (e:OutboxEvent) RETURN count(e) AS rows');

/** How many rows wait to be relayed (from the label's count, no scan). */
export async function pendingEventCount(graph: Graph): Promise<number> {
  const [row] = await graph.read(PENDING_COUNT);
  return row.rows;
}

/** A row of the outbox: its event, and its element id, which finds it again to delete it once relayed. */
export interface PendingEvent {
  key: string;
  event: DomainEvent;
}

/** Up to `limit` rows not yet relayed, ordered by tree and sequence. */
export async function pendingEvents(graph: Graph, limit: number): Promise<PendingEvent[]> {
  const rows = await graph.read(PENDING, { limit });
  return rows.map((row) => ({
    key: row.key,
    event: { ...(JSON.parse(row.payload) as EventIds), id: row.id, type: row.type, at: row.at, rootCustomerId: row.rootId, tree: row.tree, seq: row.seq },
  }));
}

/** Forgets relayed rows (a row already gone is skipped). */
export async function deleteRelayed(graph: Graph, rows: readonly PendingEvent[]): Promise<void> {
  if (rows.length > 0) await graph.write(DELETE, { rows: rows.map(({ key, event }) => ({ key, id: event.id })) });
}
