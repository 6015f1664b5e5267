import { NewEvent, numberEvents } from '../outbox';
import { Tx } from '../neo4j';

/**
 * The domain events of a batch, emitted once at its end (graph/outbox.ts) instead of once per level and kind:
 * one tree lookup and lock and one write for the whole batch. They are emitted in batch order (an event's own
 * events in the order its writer gives them), so within a referral tree they are numbered as the events came,
 * and each is placed in its tree as the batch leaves it, the state its subscribers see once it commits.
 */
export class BatchOutbox {
  private readonly events: Array<{ index: number; event: NewEvent }> = [];

  add(index: number, events: readonly NewEvent[]): void {
    for (const event of events) this.events.push({ index, event });
  }

  /** Numbers the events under their trees' locks; returns the statement that stores them, for the caller to run (see OutboxWrite). */
  async number(tx: Tx) {
    const ordered = [...this.events].sort((a, b) => a.index - b.index);
    return (await numberEvents(tx, ordered.map(({ event }) => event))).write;
  }
}
