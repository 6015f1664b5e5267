import { LOAD_CUSTOMERS, strangerRow } from '../../../graph/bulkLoad';
import { isConstraintMigration } from '../../../graph/constraintMigration';
import { MIGRATIONS } from '../../../graph/migrations';
import { cypher, Cypher } from '../../../graph/neo4j';
import { emitEvents, NewEvent, onEventsCommitted, PendingBatch } from '../../../graph/outbox';
import { createLogger } from '../../../server/logger';
import { EventStream, eventOf, StreamEntry, streamKeys } from '../../../server/live/eventStream';
import { OutboxRelay } from '../../../server/live/outboxRelay';
import { testGraph, testStore, uniquePrefix } from '../../support/services';

const graph = testGraph();
const store = testStore();
afterAll(async () => {
  await graph.close();
  await store.close();
});

/** A relay onto a stream of its own (deleted afterwards), and what that stream holds of `trees`' events, in stream order. */
async function withRelays(
  count: number,
  check: (relays: OutboxRelay[], appended: (roots: readonly string[]) => Promise<Array<{ root: string; seq: number; id: string }>>) => Promise<void>,
  forceAfterMs = 3_600_000,
) {
  const stream = new EventStream(store.redis, streamKeys(uniquePrefix('test-relay')), 3_600_000);
  const relays = Array.from({ length: count }, () => new OutboxRelay(graph, stream, createLogger('silent'), () => {}, forceAfterMs));
  const appended = async (roots: readonly string[]) =>
    ((await store.redis.xrange(stream.keys.stream, '-', '+')) as StreamEntry[])
      .map((entry) => eventOf(entry)!)
      .filter((event) => roots.includes(event.rootCustomerId))
      .map((event) => ({ root: event.rootCustomerId, seq: event.seq, id: event.id }));
  try {
    await check(relays, appended);
  } finally {
    await store.redis.del(stream.keys.stream, stream.keys.sequences);
  }
}

// Batches other files left in the shared store (written with no relay running) may wait for predecessors that went to
// another stream: they are relayed first, forced, onto a stream of their own, so that they hold up no page here.
beforeAll(() => withRelays(1, ([relay]) => relay.flush(), 0));

const givenCustomers = (ids: readonly string[]) => graph.write(LOAD_CUSTOMERS, { rows: ids.map((id) => strangerRow(id, 0)) });

// Two ways a relay meets the batches: passes over the outbox in stamp order (the sweep, a reconnect), and each writer
// handing its own committed batch to a relay (as an API process does), with one relay also passing over the outbox.
test.each(['passes over the outbox', 'each writer relaying its own batch'] as const)(
  'each tree reaches the stream once and in sequence order while many transactions emit into the same trees and several relays run: %s',
  async (mode) => {
    const prefix = uniquePrefix('relay-order');
    const roots = Array.from({ length: 4 }, (_, k) => `${prefix}-r${k}`);
    await givenCustomers(roots);
    // Each transaction emits three events into each of two trees (a pseudo-random pair), so transactions conflict on
    // trees in every combination; all start at once.
    const WRITERS = 40;
    const writes = Array.from({ length: WRITERS }, (_, w) => {
      const trees = [roots[w % roots.length], roots[(w * 7 + 1) % roots.length]].filter((id, i, all) => all.indexOf(id) === i);
      const events = trees.flatMap((root) => Array.from({ length: 3 }, (): NewEvent => ({ type: 'ReviewPosted', subjectId: root, ids: { customerId: root, productId: `${prefix}-p${w}` } })));
      return { events, count: events.length };
    });
    const total = writes.reduce((sum, write) => sum + write.count, 0);

    await withRelays(3, async (relays, appended) => {
      const own = mode === 'each writer relaying its own batch';
      const handedOver: Array<Promise<void>> = [];
      let committed = 0;
      const unsubscribe = onEventsCommitted((batch) => handedOver.push(relays[committed++ % relays.length].relayCommitted(batch)));
      let writing = true;
      const relaying = (own ? relays.slice(0, 1) : relays).map(async (relay) => {
        while (writing) await relay.flush();
      });
      try {
        // Without afterCommit a writer hands nothing over.
        await Promise.all(writes.map(({ events }) => graph.writeTransaction((tx) => emitEvents(own ? tx : { run: tx.run }, events))));
      } finally {
        writing = false;
        unsubscribe();
      }
      await Promise.all([...relaying, ...handedOver]);
      expect(committed).toBe(own ? WRITERS : 0);
      await Promise.all(relays.map((relay) => relay.flush()));

      const seen = await appended(roots);
      expect(seen).toHaveLength(total);
      expect(new Set(seen.map((event) => event.id)).size).toBe(total);
      for (const root of roots) {
        const sequences = seen.filter((event) => event.root === root).map((event) => event.seq);
        expect(sequences).toEqual(sequences.map((_, i) => i + 1));
      }
    });
  },
);

test("a committed batch handed to the relay is appended and deleted without a pass; one that must wait for an earlier batch of its tree brings that one first", async () => {
  const prefix = uniquePrefix('relay-own');
  const [alone, shared] = [`${prefix}-alone`, `${prefix}-shared`];
  await givenCustomers([alone, shared]);
  const review = (id: string, n: number): NewEvent => ({ type: 'ReviewPosted', subjectId: id, ids: { customerId: id, productId: `${prefix}-p${n}` } });
  const batches: PendingBatch[] = [];
  const unsubscribe = onEventsCommitted((batch) => batches.push(batch));
  try {
    await graph.writeTransaction((tx) => emitEvents(tx, [review(alone, 1), review(alone, 2)]));
    // The second batch of `shared` is handed over while the first is still in the outbox.
    await graph.writeTransaction((tx) => emitEvents(tx, [review(shared, 1)]));
    await graph.writeTransaction((tx) => emitEvents(tx, [review(shared, 2)]));
  } finally {
    unsubscribe();
  }
  expect(batches.map((batch) => batch.events.length)).toEqual([2, 1, 1]);
  const stillThere = cypher<{ ids: string[] }>('test.outboxBatchesLeft', 'MATCH (b:OutboxBatch) WHERE b.id IN $ids RETURN collect(b.id) AS ids');

  await withRelays(1, async ([relay], appended) => {
    await relay.relayCommitted(batches[0]);
    expect((await appended([alone])).map((event) => event.seq)).toEqual([1, 2]);
    expect((await graph.read(stillThere, { ids: [batches[0].id] }))[0].ids).toEqual([]);

    await relay.relayCommitted(batches[2]);
    expect((await appended([shared])).map((event) => event.seq)).toEqual([1, 2]);
    expect((await graph.read(stillThere, { ids: batches.map((batch) => batch.id) }))[0].ids).toEqual([]);
  });
});

test('a page holds whole transactions, and a relay drains a backlog larger than a page', async () => {
  const prefix = uniquePrefix('relay-backlog');
  const ids = Array.from({ length: 300 }, (_, k) => `${prefix}-c${k}`);
  await givenCustomers(ids);
  // 1,500 events in transactions of 250: more than a page of 1,000, and no page boundary inside a transaction.
  for (let start = 0; start < ids.length; start += 50) {
    const events = ids.slice(start, start + 50).flatMap((id) => Array.from({ length: 5 }, (): NewEvent => ({ type: 'ReviewPosted', subjectId: id, ids: { customerId: id } })));
    await graph.writeTransaction((tx) => emitEvents({ run: tx.run }, events));
  }
  await withRelays(1, async ([relay], appended) => {
    await relay.flush();
    const seen = await appended(ids);
    expect(seen).toHaveLength(1500);
    for (const id of ids) expect(seen.filter((event) => event.root === id).map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
  });
});

const LEGACY_ROW = cypher(
  'test.legacyOutboxRow',
  `UNWIND $rows AS row
   CREATE (:OutboxEvent {id: row.id, type: 'ReviewPosted', at: row.at, rootId: row.root, tree: row.tree, seq: row.seq, payload: row.payload})`,
);

test('events a store kept one node each (before the outbox held one node per transaction) are relayed in their order after the start', async () => {
  const prefix = uniquePrefix('relay-legacy');
  const root = `${prefix}-root`;
  const tree = `${prefix}-tree`;
  // Written out of order: the migration puts them in sequence order.
  await graph.write(LEGACY_ROW, {
    rows: [3, 1, 2].map((seq) => ({ id: `${prefix}-e${seq}`, at: Date.now(), root, tree, seq, payload: JSON.stringify({ customerId: root, productId: `${prefix}-p${seq}` }) })),
  });
  const migration = MIGRATIONS.find((step): step is Cypher => !isConstraintMigration(step) && step.name === 'migration.outboxEventsToBatch')!;
  await graph.runAutoCommit(migration);
  await withRelays(1, async ([relay], appended) => {
    await relay.flush();
    expect(await appended([root])).toEqual([1, 2, 3].map((seq) => ({ root, seq, id: `${prefix}-e${seq}` })));
  });
  expect(await graph.read(cypher<{ rows: number }>('test.legacyRowsLeft', 'MATCH (e:OutboxEvent) RETURN count(e) AS rows'))).toEqual([{ rows: 0 }]);
});
