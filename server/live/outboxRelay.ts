import { deleteRelayed, DomainEvent, pendingBatches } from '../../graph/outbox';
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
 * Moves committed outbox batches (graph/outbox.ts) onto the event stream, then deletes them. It runs after
 * every commit that emitted events in this process and from the outbox-sweep job (batches a crash or a Redis
 * outage left behind). Several relays (processes, or a commit and the sweep) may run at once: the stream's
 * publish script appends each event once and in its tree's order, and deleting a batch twice is harmless.
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

  constructor(
    private readonly graph: Graph,
    private readonly stream: EventStream | undefined,
    private readonly log: Logger,
    private readonly local: (event: DomainEvent) => void,
    private readonly forceAfterMs = 30_000,
  ) {}

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
    const now = Date.now();
    const force = (event: DomainEvent) => now - event.at > this.forceAfterMs;
    const events = batches.flatMap((batch) => batch.events);
    const outcomes: PublishOutcome[] = [];
    for (let start = 0; start < events.length; start += RELAY_PAGE) outcomes.push(...(await this.stream.publishAll(events.slice(start, start + RELAY_PAGE), force)));
    const waiting = new Set(events.filter((_, i) => outcomes[i] === 'waiting').map((event) => event.id));
    await deleteRelayed(this.graph, batches.filter((batch) => !batch.events.some((event) => waiting.has(event.id))));
    return more && waiting.size === 0;
  }
}
