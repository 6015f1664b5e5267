import { setTimeout as sleep } from 'node:timers/promises';
import { deleteRelayed, DomainEvent, PendingBatch, pendingBatches } from '../../graph/outbox';
import type { Graph } from '../../graph/neo4j';
import type { Logger } from '../logger';
import type { EventStream, PublishOutcome } from './eventStream';

/**
 * About how many events a pass reads, appends and deletes: a 1,000-event batch's outbox (about 800 events) goes in
 * one. A pass takes whole transactions' batches (graph/outbox.ts), so one batch larger than this is a pass of its own,
 * appended in script calls of at most this many events.
 */
export const RELAY_PAGE = 1000;

/**
 * How long a relayed batch waits for company before it is deleted: under load each commit relays its own batch, and
 * deleting each in a transaction of its own cost about as much again as the commit that wrote it. A batch relayed but
 * not yet deleted is harmless: a pass that finds it appends nothing twice.
 */
const DELETE_LINGER_MS = 100;

/**
 * Moves committed outbox batches (graph/outbox.ts) onto the event stream, then deletes them. A batch this process
 * has just committed is relayed as it is, without reading the outbox (`relayCommitted`); passes over the outbox in
 * stamp order (`flush`) run when that cannot go ahead, on Redis reconnect and from the outbox-sweep job (batches a
 * crash or an outage left behind). Several relays (processes, or a commit and the sweep) may run at once: the
 * stream's publish script appends each event once and in its tree's order, and deleting a batch twice is harmless.
 *
 * An event waits while an earlier event of its tree is not on the stream yet (being relayed elsewhere), and its
 * batch stays until it is appended (its other events are then skipped as already there); after `forceAfterMs`
 * it is appended anyway, so a lost predecessor cannot hold a tree forever.
 *
 * Without Redis (one process), `stream` is undefined and events go straight to `local`.
 */
export class OutboxRelay {
  private running: Promise<void> | undefined;
  private again = false;
  private lastWarnedAt = 0;
  /** Batches relayed by relayCommitted, waiting to be deleted together. */
  private readonly relayed: PendingBatch[] = [];
  private deleting: Promise<void> | undefined;

  constructor(
    private readonly graph: Graph,
    private readonly stream: EventStream | undefined,
    private readonly log: Logger,
    private readonly local: (event: DomainEvent) => void,
    private readonly forceAfterMs = 30_000,
  ) {}

  /**
   * Relays a batch this process has just committed: its events are appended and it is deleted, one script call and
   * one statement. If one of its events has to wait for an earlier event of its tree that is not on the stream yet
   * (committed by another transaction and not relayed yet), or this fails, a pass over the outbox follows, which
   * takes the batches in stamp order. Without a stream (one process) every relay is a pass, so that no subscriber
   * here gets an event twice.
   */
  async relayCommitted(batch: PendingBatch): Promise<void> {
    if (!this.stream) return this.flush();
    try {
      const outcomes = await this.publish(this.stream, batch.events);
      if (outcomes.includes('waiting')) return this.flush();
      await this.deleteSoon(batch);
    } catch {
      // The pass says what went wrong (once a minute at most) and leaves the batch for the next one.
      return this.flush();
    }
  }

  /**
   * Deletes a relayed batch together with the others relayed within DELETE_LINGER_MS, or while that delete runs;
   * resolves once it is deleted.
   */
  private deleteSoon(batch: PendingBatch): Promise<void> {
    this.relayed.push(batch);
    this.deleting ??= (async () => {
      try {
        await sleep(DELETE_LINGER_MS);
        while (this.relayed.length > 0) await deleteRelayed(this.graph, this.relayed.splice(0, RELAY_PAGE));
      } finally {
        this.deleting = undefined;
      }
    })();
    return this.deleting;
  }

  /** Relays what is pending; concurrent calls in one process coalesce into one more pass. */
  flush(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          while (await this.pass());
        } while (this.again);
      } catch (error) {
        // While Redis or Neo4j is away every commit would fail the same way: say so once a minute at most.
        if (Date.now() - this.lastWarnedAt > 60_000) {
          this.lastWarnedAt = Date.now();
          this.log.warn({ err: error }, 'outbox relay stopped; the rows stay for the next pass');
        }
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** One page; returns whether another should follow (false when the outbox is drained or a tree has to wait for another relay). */
  private async pass(): Promise<boolean> {
    const { batches, more } = await pendingBatches(this.graph, RELAY_PAGE);
    if (!this.stream) {
      for (const batch of batches) for (const event of batch.events) this.local(event);
      await deleteRelayed(this.graph, batches);
      return more;
    }
    const events = batches.flatMap((batch) => batch.events);
    const outcomes = await this.publish(this.stream, events);
    const waiting = new Set(events.filter((_, i) => outcomes[i] === 'waiting').map((event) => event.id));
    await deleteRelayed(this.graph, batches.filter((batch) => !batch.events.some((event) => waiting.has(event.id))));
    return more && waiting.size === 0;
  }

  /** Appends `events` in script calls of at most RELAY_PAGE; an event older than forceAfterMs waits for nothing. */
  private async publish(stream: EventStream, events: readonly DomainEvent[]): Promise<PublishOutcome[]> {
    const now = Date.now();
    const force = (event: DomainEvent) => now - event.at > this.forceAfterMs;
    const outcomes: PublishOutcome[] = [];
    for (let start = 0; start < events.length; start += RELAY_PAGE) outcomes.push(...(await stream.publishAll(events.slice(start, start + RELAY_PAGE), force)));
    return outcomes;
  }
}
