import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster, Redis } from 'ioredis';
import type { DomainEvent } from '../../../graph/outbox';
import type { Logger } from '../../logger';
import { eventOf, StreamEntry } from '../eventStream';
import type { DeliveryQueue } from './deliveryQueue';
import type { WebhookSubscriptions } from './subscriptions';

/** An entry another consumer read but did not acknowledge for this long is taken over (its process died). */
const CLAIM_IDLE_MS = 30_000;

/** Entries per read: each read costs one check that the subscribed endpoints are unchanged, so a relayed batch's events cost a few, not dozens. */
const READ_COUNT = 500;

/**
 * Turns stream events into webhook deliveries. All processes read the stream as one Redis consumer group
 * (named after the delivery queue, WEBHOOK_QUEUE), so each event is dispatched by one process, and the group keeps the position in Redis: a
 * restarted process resumes where the group was. An entry is acknowledged only after its deliveries are
 * queued; one left unacknowledged by a process that died is claimed by another after CLAIM_IDLE_MS.
 * Queuing is idempotent (the delivery id is endpoint + event), so dispatching an entry twice queues once.
 */
export class WebhookDispatcher {
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly stream: string,
    private readonly consumer: string,
    private readonly subscriptions: WebhookSubscriptions,
    private readonly queue: DeliveryQueue,
    private readonly log: Logger,
    /** The consumer group: one per delivery queue, so that processes sharing a queue dispatch each event once. */
    private readonly group: string,
    private readonly blockMs = 2000,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    let grouped = false;
    let backlog = true;
    let lastClaim = 0;
    while (!this.stopped) {
      try {
        if (!grouped) {
          await this.redis.xgroup('CREATE', this.stream, this.group, '$', 'MKSTREAM').catch((error: Error) => {
            if (!error.message.includes('BUSYGROUP')) throw error;
          });
          grouped = true;
        }
        if (Date.now() - lastClaim > CLAIM_IDLE_MS / 2) {
          lastClaim = Date.now();
          const [, claimed] = (await this.redis.xautoclaim(this.stream, this.group, this.consumer, CLAIM_IDLE_MS, '0-0', 'COUNT', 100)) as [string, StreamEntry[]];
          await this.dispatch(claimed);
        }
        // First this consumer's own unacknowledged entries (after a failure), then new ones.
        const reply = (await this.redis.xreadgroup(
          'GROUP', this.group, this.consumer, 'COUNT', READ_COUNT, 'BLOCK', this.blockMs, 'STREAMS', this.stream, backlog ? '0' : '>',
        )) as Array<[string, StreamEntry[]]> | null;
        const entries = reply?.[0]?.[1] ?? [];
        if (backlog && entries.length === 0) backlog = false;
        await this.dispatch(entries);
      } catch (error) {
        if (this.stopped) return;
        this.log.debug({ err: error }, 'webhook dispatch failed; retrying');
        // A change announced while Redis was away may have been lost: the endpoints are read anew.
        this.subscriptions.forget();
        backlog = true;
        grouped = !String((error as Error).message).includes('NOGROUP') && grouped;
        await sleep(1000);
      }
    }
  }

  private async dispatch(entries: StreamEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const events = entries.map(eventOf);
    const readable = events.filter((event): event is DomainEvent => event !== undefined);
    const endpoints = await this.subscriptions.endpointsFor(readable.map((event) => event.type));
    for (const event of readable) {
      for (const webhookId of endpoints.get(event.type) ?? []) await this.queue.enqueue(`${webhookId}_${event.id}`, webhookId, event);
    }
    await this.redis.xack(this.stream, this.group, ...entries.map(([id]) => id));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.redis.disconnect();
    await this.loop;
  }
}
