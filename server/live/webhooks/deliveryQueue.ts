import type { Cluster, Redis } from 'ioredis';
import { Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { DomainEvent } from '../../../graph/outbox';
import type { Graph } from '../../../graph/neo4j';
import { webhookEventOf, webhookForDelivery } from '../../../graph/webhooks';
import type { Logger } from '../../logger';
import type { DeliveryLog, DeliveryRecord } from './deliveryLog';
import { AttemptOutcome, OutboundPolicy, postWebhook } from './outbound';
import { SIGNATURE_HEADER, signatureHeader } from './signature';

export interface DeliverySettings {
  queueName: string;
  policy: OutboundPolicy;
  /** The first retry waits about this long; each later one twice as long as the one before, up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** A delivery not made within this long after it was queued is FAILED. */
  deadlineMs: number;
  concurrency: number;
}

interface DeliveryJob {
  deliveryId: string;
}

export const BULL_PREFIX = '{grapevine}:bull';

/** Retries are bounded by the deadline, not by a count; this only keeps BullMQ retrying until then. */
const MAX_ATTEMPTS = 1000;

/** The JSON body of a delivery: the event, with the SDL's name for its type. Ids and times only. */
export function deliveryBody(event: DomainEvent): string {
  const { id, type, at, seq, tree: _tree, ...data } = event;
  return JSON.stringify({ id, type: webhookEventOf(type), at: new Date(at).toISOString(), sequence: seq, data });
}

/**
 * Exponential backoff with jitter: attempt n (from 1) failed, wait about base·2^(n-1), capped, then a random
 * point in its upper half, so endpoints that failed together are not retried together.
 */
export function retryDelayMs(failedAttempts: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(failedAttempts - 1, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Webhook deliveries on a BullMQ queue in Redis: a job per (endpoint, event), so deliveries survive a
 * restart of the API and any process's worker takes them; a job whose process died mid-attempt is taken
 * again by another (at-least-once: receivers dedupe by the event id). Retries follow `retryDelayMs` until
 * the deadline; every attempt is written to the delivery log.
 */
export class DeliveryQueue {
  private readonly queue: Queue<DeliveryJob>;
  private readonly worker: Worker<DeliveryJob>;
  /** The delay chosen for each failed job's next attempt, handed to BullMQ's backoff strategy. */
  private readonly nextDelays = new Map<string, number>();

  constructor(
    private readonly graph: Graph,
    private readonly deliveries: DeliveryLog,
    connections: { queue: Redis | Cluster; worker: Redis | Cluster },
    private readonly settings: DeliverySettings,
    private readonly log: Logger,
  ) {
    // In braces: on a Redis Cluster every key of a queue must hash to one slot (BullMQ's scripts touch several).
    const prefix = BULL_PREFIX;
    this.queue = new Queue<DeliveryJob>(settings.queueName, { connection: connections.queue as never, prefix });
    this.queue.on('error', (error) => log.debug({ err: error }, 'webhook queue error'));
    this.worker = new Worker<DeliveryJob>(settings.queueName, (job) => this.attempt(job), {
      connection: connections.worker as never,
      prefix,
      concurrency: settings.concurrency,
      settings: { backoffStrategy: (_attempts, _type, _error, job) => this.nextDelays.get(job?.id ?? '') ?? settings.retryBaseMs },
    });
    this.worker.on('error', (error) => log.debug({ err: error }, 'webhook worker error'));
  }

  /** Queues `event` for `webhookId` under `deliveryId`; nothing when that delivery exists already. */
  async enqueue(deliveryId: string, webhookId: string, event: DomainEvent, now = Date.now()): Promise<DeliveryRecord | null> {
    const record: DeliveryRecord = { id: deliveryId, webhookId, event, status: 'PENDING', attempts: [], nextRetryAt: null, createdAt: now, deadline: now + this.settings.deadlineMs };
    if (!(await this.deliveries.create(record))) return null;
    await this.queue.add(
      'deliver',
      { deliveryId },
      { jobId: deliveryId, attempts: MAX_ATTEMPTS, backoff: { type: 'custom' }, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 7 * 86_400 } },
    );
    return record;
  }

  private async attempt(job: Job<DeliveryJob>): Promise<void> {
    const { deliveryId } = job.data;
    const record = await this.deliveries.get(deliveryId);
    if (!record || record.status !== 'PENDING') return;
    const endpoint = await webhookForDelivery(this.graph, record.webhookId);
    if (!endpoint || !endpoint.webhook.enabled) {
      await this.finish(deliveryId, 'FAILED', { at: Date.now(), statusCode: null, error: endpoint ? 'the webhook is disabled' : 'the webhook was deleted' });
      return;
    }
    if (Date.now() > record.deadline) {
      await this.finish(deliveryId, 'FAILED', { at: Date.now(), statusCode: null, error: 'the delivery deadline passed' });
      return;
    }
    const body = deliveryBody(record.event);
    const at = Date.now();
    const outcome: AttemptOutcome = await postWebhook(
      endpoint.webhook.url,
      body,
      { [SIGNATURE_HEADER]: signatureHeader(endpoint.secret, body, at), 'Grapevine-Event-Id': record.event.id, 'Grapevine-Delivery-Id': deliveryId, 'user-agent': 'Grapevine-Webhooks/1' },
      this.settings.policy,
    );
    const attempt = { at, statusCode: outcome.statusCode ?? null, error: outcome.error ?? null };
    if (outcome.statusCode !== undefined && outcome.statusCode >= 200 && outcome.statusCode < 300) {
      await this.finish(deliveryId, 'DELIVERED', attempt);
      return;
    }
    const delay = retryDelayMs(record.attempts.length + 1, this.settings.retryBaseMs, this.settings.retryMaxMs);
    if (Date.now() + delay > record.deadline || job.attemptsMade + 1 >= MAX_ATTEMPTS) {
      await this.finish(deliveryId, 'FAILED', attempt);
      throw new UnrecoverableError(`delivery ${deliveryId} failed: ${attempt.error}`);
    }
    this.nextDelays.set(job.id!, delay);
    setTimeout(() => this.nextDelays.delete(job.id!), 60_000).unref();
    await this.deliveries.update(deliveryId, (stored) => {
      stored.attempts.push(attempt);
      stored.nextRetryAt = Date.now() + delay;
    });
    throw new Error(`attempt failed: ${attempt.error}`);
  }

  private async finish(deliveryId: string, status: 'DELIVERED' | 'FAILED', attempt: DeliveryRecord['attempts'][number]): Promise<void> {
    await this.deliveries.update(deliveryId, (stored) => {
      stored.attempts.push(attempt);
      stored.status = status;
      stored.nextRetryAt = null;
    });
    if (status === 'FAILED') this.log.warn({ deliveryId, error: attempt.error }, 'webhook delivery failed for good');
  }

  async close(): Promise<void> {
    await this.worker.close();
    await this.queue.close();
  }
}
