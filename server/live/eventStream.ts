import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
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

// The events of one relay pass, in their order (each tree's by sequence): five arguments per event after the
// trim id. A tree whose next event has to wait holds its later events of the pass too, as one by one would.
// One script call for the whole pass: a relayed batch of 1,000 events costs one round trip, not 1,000.
const PUBLISH_ALL = `
local minId = ARGV[1]
local waiting = {}
local outcomes = {}
for first = 2, #ARGV, 5 do
  local tree, seq, force, id, event = ARGV[first], tonumber(ARGV[first + 1]), ARGV[first + 2], ARGV[first + 3], ARGV[first + 4]
  local outcome = -1
  if not waiting[tree] then
    local last = tonumber(redis.call('HGET', KEYS[2], tree) or '0')
    if seq <= last then
      outcome = 0
    elseif seq ~= last + 1 and force ~= '1' then
      waiting[tree] = true
    else
      redis.call('XADD', KEYS[1], 'MINID', '~', minId, '*', 'id', id, 'event', event)
      redis.call('HSET', KEYS[2], tree, seq)
      outcome = 1
    end
  end
  outcomes[#outcomes + 1] = outcome
end
return outcomes`;

const PUBLISH_ALL_SHA = crypto.createHash('sha1').update(PUBLISH_ALL).digest('hex');

export type PublishOutcome = 'published' | 'duplicate' | 'waiting';

const OUTCOMES: Record<number, PublishOutcome> = { 1: 'published', 0: 'duplicate', [-1]: 'waiting' };

export class EventStream {
  constructor(
    private readonly redis: Redis | Cluster,
    readonly keys: StreamKeys,
    /** Entries older than this are trimmed (approximately) as new ones are appended. */
    private readonly retentionMs: number,
  ) {}

  /**
   * Appends `events` (each tree's in sequence order) in one script call; `force(event)` says whether an event
   * may skip a missing predecessor. Returns each event's outcome, in order.
   */
  async publishAll(events: readonly DomainEvent[], force: (event: DomainEvent) => boolean): Promise<PublishOutcome[]> {
    if (events.length === 0) return [];
    const minId = `${Math.max(0, Date.now() - this.retentionMs)}-0`;
    const args = [minId, ...events.flatMap((event) => [event.tree, String(event.seq), force(event) ? '1' : '0', event.id, JSON.stringify(event)])];
    const keys = [this.keys.stream, this.keys.sequences];
    let result: number[];
    try {
      // EVALSHA sends the script's hash, not its text; Redis forgets scripts on restart, hence the fallback.
      result = (await this.redis.evalsha(PUBLISH_ALL_SHA, keys.length, ...keys, ...args)) as number[];
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      result = (await this.redis.eval(PUBLISH_ALL, keys.length, ...keys, ...args)) as number[];
    }
    return result.map((outcome) => OUTCOMES[outcome]);
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
