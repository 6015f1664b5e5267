import { LOAD_CUSTOMERS, strangerRow } from '../../graph/bulkLoad';
import { cypher } from '../../graph/neo4j';
import { deleteRelayed, emitEvents, NewEvent } from '../../graph/outbox';
import { testGraph, uniquePrefix } from '../support/services';

const BATCH = cypher<{ key: string; id: string; events: string[]; stamp: number }>(
  'test.outboxBatch',
  'MATCH (b:OutboxBatch) WHERE any(event IN b.events WHERE event CONTAINS $eventId) RETURN elementId(b) AS key, b.id AS id, b.events AS events, b.stamp AS stamp',
);
const STAMP_TREE = cypher(
  'test.stampTree',
  'MATCH (c:Customer {id: $id}) MATCH (tree:EventTree {rootKey: elementId(c)}) SET tree.stamp = $stamp',
);

describe('the outbox', () => {
  const graph = testGraph();
  afterAll(() => graph.close());

  test("holds a transaction's events as one batch, in the order they were emitted", async () => {
    const customerId = uniquePrefix('outbox');
    await graph.write(LOAD_CUSTOMERS, { rows: [strangerRow(customerId, 0)] });
    const events: NewEvent[] = ['p1', 'p2', 'p3'].map((productId) => ({ type: 'ReviewPosted', subjectId: customerId, ids: { customerId, productId } }));
    const stored = await graph.writeTransaction((tx) => emitEvents(tx, events));
    const [batch] = await graph.read(BATCH, { eventId: stored[0].id });
    expect(batch.events.map((event) => JSON.parse(event))).toEqual(stored);
    expect(stored.map((event) => [event.seq, event.productId])).toEqual([[1, 'p1'], [2, 'p2'], [3, 'p3']]);
  });

  test('deletes a relayed batch only when its element id and its batch id both match (Neo4j reuses the ids of deleted nodes)', async () => {
    const customerId = uniquePrefix('outbox');
    await graph.write(LOAD_CUSTOMERS, { rows: [strangerRow(customerId, 0)] });
    const event: NewEvent = { type: 'CustomerSignedUp', subjectId: customerId, ids: { customerId } };
    const [stored] = await graph.writeTransaction((tx) => emitEvents(tx, [event]));
    const [{ key, id }] = await graph.read(BATCH, { eventId: stored.id });

    // The same element id naming another batch (as after a reuse) leaves the batch alone.
    await deleteRelayed(graph, [{ key, id: `${id}-other`, events: [stored] }]);
    expect(await graph.read(BATCH, { eventId: stored.id })).toHaveLength(1);

    await deleteRelayed(graph, [{ key, id, events: [stored] }]);
    expect(await graph.read(BATCH, { eventId: stored.id })).toHaveLength(0);
    // A batch already gone is skipped.
    await deleteRelayed(graph, [{ key, id, events: [stored] }]);
  });

  test("stamps a tree's next batch after its last one even when the database clock reads earlier (a clock stepped back)", async () => {
    const customerId = uniquePrefix('outbox');
    await graph.write(LOAD_CUSTOMERS, { rows: [strangerRow(customerId, 0)] });
    const event: NewEvent = { type: 'ReviewPosted', subjectId: customerId, ids: { customerId } };
    await graph.writeTransaction((tx) => emitEvents(tx, [event]));
    // The tree's last batch as if written an hour ahead of the clock.
    const ahead = (Date.now() + 3_600_000) * 1000;
    await graph.write(STAMP_TREE, { id: customerId, stamp: ahead });
    const [next] = await graph.writeTransaction((tx) => emitEvents(tx, [event]));
    const [batch] = await graph.read(BATCH, { eventId: next.id });
    expect(batch.stamp).toBe(ahead + 1);
  });
});
