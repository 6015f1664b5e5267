import { deleteRelayed, DomainEvent, pendingEvents } from '../../graph/outbox';
import type { Graph } from '../../graph/neo4j';
import type { Logger } from '../logger';
import type { EventStream } from './eventStream';

/** Events read, appended and deleted per pass: a 1,000-event batch's outbox (about 800 events) goes in one. */
export const RELAY_PAGE = 1000;

/**
 * Moves committed outbox rows (graph/outbox.ts) onto the event stream, then deletes them. It runs after
 * every commit that emitted events in this process and from the outbox-sweep job (rows a crash or a Redis
 * outage left behind). Several relays (processes, or a commit and the sweep) may run at once: the stream's
 * publish script appends each event once and in its tree's order, and deleting a row twice is harmless.
 *
 * A row waits while an earlier event of its tree is not on the stream yet (being relayed elsewhere); after
 * `forceAfterMs` it is appended anyway, so a lost predecessor cannot hold a tree forever.
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
          while ((await this.pass()) === RELAY_PAGE);
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

  /** One page; returns how many rows it read, or 0 when a tree has to wait for another relay. */
  private async pass(): Promise<number> {
    const rows = await pendingEvents(this.graph, RELAY_PAGE);
    if (!this.stream) {
      for (const { event } of rows) this.local(event);
      await deleteRelayed(this.graph, rows);
      return rows.length;
    }
    const now = Date.now();
    const outcomes = await this.stream.publishAll(rows.map(({ event }) => event), (event) => now - event.at > this.forceAfterMs);
    await deleteRelayed(this.graph, rows.filter((_, i) => outcomes[i] !== 'waiting'));
    return outcomes.includes('waiting') ? 0 : rows.length;
  }
}
