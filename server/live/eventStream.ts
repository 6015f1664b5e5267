import type { Cluster, Redis } from 'ioredis';
import type { DomainEvent } from '../../graph/outbox';
import type { Logger } from '../logger';

/**
 * The one event stream: a Redis Stream every API process reads. Each entry holds one domain event
 * (`id` = the event id, `event` = its JSON).
 *
 * Invariant (order and once): an event is appended only by `publish`, a Lua script that keeps, per referral
 * tree, the last sequence number appended (`<stream>:seq`, a hash by root id). An event at or below it is
 * already on the stream (another process relayed it first) and is skipped; the next one is appended; one
 * further ahead waits (its predecessor is still being relayed) unless `force` says it waited long enough
 * (a predecessor that can never come, e.g. after the hash was lost). So each tree's events are appended once,
 * in sequence order, which is their commit order.
 */
export interface StreamKeys {
  stream: string;
  sequences: string;
}

export const streamKeys = (stream: string): StreamKeys => ({ stream, sequences: `${stream}:seq` });

const PUBLISH = `
local last = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
local seq = tonumber(ARGV[2])
if seq <= last then return 0 end
if seq ~= last + 1 and ARGV[3] ~= '1' then return -1 end
redis.call('XADD', KEYS[1], 'MINID', '~', ARGV[4], '*', 'id', ARGV[5], 'event', ARGV[6])
redis.call('HSET', KEYS[2], ARGV[1], seq)
return 1`;

export type PublishOutcome = 'published' | 'duplicate' | 'waiting';

export class EventStream {
  constructor(
    private readonly redis: Redis | Cluster,
    readonly keys: StreamKeys,
    /** Entries older than this are trimmed (approximately) as new ones are appended. */
    private readonly retentionMs: number,
  ) {}

  async publish(event: DomainEvent, force: boolean): Promise<PublishOutcome> {
    const minId = `${Math.max(0, Date.now() - this.retentionMs)}-0`;
    const result = (await this.redis.eval(
      PUBLISH,
      2,
      this.keys.stream,
      this.keys.sequences,
      event.tree,
      String(event.seq),
      force ? '1' : '0',
      minId,
      event.id,
      JSON.stringify(event),
    )) as number;
    return result === 1 ? 'published' : result === 0 ? 'duplicate' : 'waiting';
  }
}

export type StreamEntry = [id: string, fields: string[]];

/** The event in a stream entry, or undefined for an entry this version cannot read. */
export function eventOf([, fields]: StreamEntry): DomainEvent | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] !== 'event') continue;
    try {
      return JSON.parse(fields[i + 1]) as DomainEvent;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads the stream from where this process joined it, with XREAD BLOCK on its own connection (a blocking
 * read must not hold the connection the cache and rate limits use), and hands each event to `onEvent` in
 * stream order. While Redis is away it retries every second and resumes from the last id it read.
 */
export class StreamReader {
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly stream: string,
    private readonly onEvent: (event: DomainEvent) => void,
    private readonly log: Logger,
    private readonly blockMs = 2000,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    let lastId: string | undefined;
    while (!this.stopped) {
      try {
        if (lastId === undefined) {
          const [newest] = (await this.redis.xrevrange(this.stream, '+', '-', 'COUNT', 1)) as StreamEntry[];
          lastId = newest ? newest[0] : '0-0';
        }
        const reply = (await this.redis.xread('COUNT', 500, 'BLOCK', this.blockMs, 'STREAMS', this.stream, lastId)) as Array<[string, StreamEntry[]]> | null;
        for (const [, entries] of reply ?? []) {
          for (const entry of entries) {
            lastId = entry[0];
            const event = eventOf(entry);
            if (event) this.onEvent(event);
          }
        }
      } catch (error) {
        if (this.stopped) return;
        this.log.debug({ err: error }, 'event stream read failed; retrying');
        await sleep(1000);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // The blocking read returns within blockMs; disconnecting ends it at once.
    this.redis.disconnect();
    await this.loop;
  }
}
