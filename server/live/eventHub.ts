import type { DomainEvent } from '../../graph/outbox';

/** What one subscriber wants; called for each event in stream order. */
export type EventFilter = (event: DomainEvent) => boolean;

/** How many events a subscriber may fall behind before its subscription ends with an error. */
const MAX_QUEUED = 10_000;
/** How many recent event ids are remembered to drop a repeat. */
const REMEMBERED = 10_000;

/**
 * Fans the stream's events out to this process's subscribers: each gets its own async iterator with a
 * queue, so a slow WebSocket never blocks the others, and events reach it in stream order. An event id
 * seen recently is dropped: a subscriber gets each event once.
 */
export class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly seen = new Set<string>();

  publish(event: DomainEvent): void {
    if (this.seen.has(event.id)) return;
    this.seen.add(event.id);
    if (this.seen.size > REMEMBERED) this.seen.delete(this.seen.values().next().value!);
    for (const subscriber of this.subscribers) subscriber.offer(event);
  }

  subscribe(filter: EventFilter): AsyncIterableIterator<DomainEvent> {
    const subscriber = new Subscriber(filter, () => this.subscribers.delete(subscriber));
    this.subscribers.add(subscriber);
    return subscriber;
  }

  get size(): number {
    return this.subscribers.size;
  }

  /** Ends every subscription (shutdown). */
  close(): void {
    for (const subscriber of [...this.subscribers]) void subscriber.return();
  }
}

class Subscriber implements AsyncIterableIterator<DomainEvent> {
  private readonly queue: DomainEvent[] = [];
  private waiting: ((result: IteratorResult<DomainEvent>) => void) | undefined;
  private failed: ((error: Error) => void) | undefined;
  private done = false;
  private overflow = false;

  constructor(
    private readonly filter: EventFilter,
    private readonly onEnd: () => void,
  ) {}

  offer(event: DomainEvent): void {
    if (this.done || !this.filter(event)) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.failed = undefined;
      resolve({ value: event, done: false });
      return;
    }
    if (this.queue.length >= MAX_QUEUED) {
      this.overflow = true;
      this.finish();
      return;
    }
    this.queue.push(event);
  }

  next(): Promise<IteratorResult<DomainEvent>> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve({ value: queued, done: false });
    if (this.overflow) return Promise.reject(new Error('the subscriber fell too far behind the event stream; subscribe again'));
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failed = reject;
    });
  }

  return(): Promise<IteratorResult<DomainEvent>> {
    this.queue.length = 0;
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<DomainEvent>> {
    this.finish();
    return Promise.reject(error);
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.onEnd();
    const resolve = this.waiting;
    this.waiting = this.failed = undefined;
    resolve?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}
