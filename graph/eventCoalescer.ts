import type { EventKind } from '../schema/generated/types';
import { EventInputOf, EventOutcome, EventResultOf, recordEvent, recordIndependentEvents } from './events';
import { Graph } from './neo4j';

export interface CoalescingOptions {
  /** The most single events written in one transaction; 1 writes each in its own, as recordEvent does. */
  maxEvents: number;
  /** How many such transactions run at once. */
  batchesInFlight: number;
}

interface Waiting {
  kind: EventKind;
  input: unknown;
  settle(outcome: EventOutcome): void;
}

/**
 * Group commit for single event mutations. Every write transaction pays a fixed price (a session, the
 * idempotency claim and store, the outbox, a commit that forces the log); sixteen clients sending one
 * event each pay it sixteen times. Here the events that arrive while earlier transactions are running wait
 * for the next free slot and are written together through the set-based path (recordIndependentEvents),
 * each with the outcome it would have had alone, right after the ones before it.
 *
 * No event waits for a timer: with a slot free an event starts at once, alone, so an idle service answers
 * as fast as before; the batches grow only with the load. A caller's next event is sent after its previous
 * one answered, so it lands in a later transaction: each client's events keep their order.
 */
export class EventCoalescer {
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(
    private readonly graph: Graph,
    private readonly options: CoalescingOptions,
  ) {}

  async record<K extends EventKind>(kind: K, input: EventInputOf<K>): Promise<{ result: EventResultOf<K>; replayed: boolean }> {
    if (this.options.maxEvents <= 1) return recordEvent(this.graph, kind, input);
    const outcome = await new Promise<EventOutcome>((settle) => {
      this.waiting.push({ kind, input, settle });
      this.startBatches();
    });
    if ('error' in outcome) throw outcome.error;
    return outcome as { result: EventResultOf<K>; replayed: boolean };
  }

  private startBatches(): void {
    while (this.inFlight < this.options.batchesInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxEvents);
      this.inFlight += 1;
      void this.write(batch).finally(() => {
        this.inFlight -= 1;
        this.startBatches();
      });
    }
  }

  private async write(batch: Waiting[]): Promise<void> {
    try {
      const outcomes = await recordIndependentEvents(this.graph, batch);
      batch.forEach((waiting, position) => waiting.settle(outcomes[position]));
    } catch (error) {
      for (const waiting of batch) waiting.settle({ error });
    }
  }
}
