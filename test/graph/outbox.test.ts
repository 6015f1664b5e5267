import { LOAD_CUSTOMERS, strangerRow } from '../../graph/bulkLoad';
import { cypher } from '../../graph/neo4j';
import { deleteRelayed, emitEvents, NewEvent } from '../../graph/outbox';
import { testGraph, uniquePrefix } from '../support/services';

const ROW = cypher<{ key: string }>('test.outboxRow', 'MATCH (e:OutboxEvent {id: $id}) RETURN elementId(e) AS key');

describe('deleting relayed outbox rows', () => {
  const graph = testGraph();
  afterAll(() => graph.close());

  test('deletes a row only when its element id and its event id both match (Neo4j reuses the ids of deleted nodes)', async () => {
    const customerId = uniquePrefix('outbox');
    await graph.write(LOAD_CUSTOMERS, { rows: [strangerRow(customerId, 0)] });
    const event: NewEvent = { type: 'CustomerSignedUp', subjectId: customerId, ids: { customerId } };
    const [stored] = await graph.writeTransaction((tx) => emitEvents(tx, [event]));
    const [{ key }] = await graph.read(ROW, { id: stored.id });

    // The same element id naming another event (as after a reuse) leaves the row alone.
    await deleteRelayed(graph, [{ key, event: { ...stored, id: `${stored.id}-other` } }]);
    expect(await graph.read(ROW, { id: stored.id })).toHaveLength(1);

    await deleteRelayed(graph, [{ key, event: stored }]);
    expect(await graph.read(ROW, { id: stored.id })).toHaveLength(0);
    // A row already gone is skipped.
    await deleteRelayed(graph, [{ key, event: stored }]);
  });
});
