import type { Cluster, Redis } from 'ioredis';
import type { DomainEvent } from '../../../graph/outbox';

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

export interface DeliveryAttempt {
  at: number;
  statusCode: number | null;
  error: string | null;
}

/** One event's delivery to one endpoint, as `webhookDeliveries` shows it. */
export interface DeliveryRecord {
  id: string;
  webhookId: string;
  event: DomainEvent;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  nextRetryAt: number | null;
  createdAt: number;
  /** After this instant (epoch ms) no attempt is made: the delivery is FAILED. */
  deadline: number;
}

/** Deliveries kept per endpoint, newest first; older ones are forgotten. */
const KEPT_PER_WEBHOOK = 1000;
const RECORD_TTL_SECONDS = 7 * 24 * 3600;

/**
 * The per-endpoint delivery log in Redis: one JSON record per delivery, and a sorted set per endpoint by
 * creation time. Only the worker that holds a delivery's job writes its record, so a read-modify-write is safe.
 */
export class DeliveryLog {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix = 'grapevine:webhook',
  ) {}

  private recordKey = (id: string) => `${this.prefix}:delivery:${id}`;
  private indexKey = (webhookId: string) => `${this.prefix}:${webhookId}:deliveries`;

  /** Records a new delivery; false when one with this id exists already (the event was dispatched before). */
  async create(record: DeliveryRecord): Promise<boolean> {
    const created = await this.redis.set(this.recordKey(record.id), JSON.stringify(record), 'EX', RECORD_TTL_SECONDS, 'NX');
    if (created === null) return false;
    await this.redis.zadd(this.indexKey(record.webhookId), record.createdAt, record.id);
    await this.redis.zremrangebyrank(this.indexKey(record.webhookId), 0, -KEPT_PER_WEBHOOK - 1);
    return true;
  }

  async get(id: string): Promise<DeliveryRecord | null> {
    const raw = await this.redis.get(this.recordKey(id));
    return raw === null ? null : (JSON.parse(raw) as DeliveryRecord);
  }

  async update(id: string, change: (record: DeliveryRecord) => void): Promise<DeliveryRecord | null> {
    const record = await this.get(id);
    if (!record) return null;
    change(record);
    await this.redis.set(this.recordKey(id), JSON.stringify(record), 'EX', RECORD_TTL_SECONDS);
    return record;
  }

  async recent(webhookId: string, limit: number): Promise<DeliveryRecord[]> {
    const ids = await this.redis.zrevrange(this.indexKey(webhookId), 0, limit - 1);
    if (ids.length === 0) return [];
    const raws = await Promise.all(ids.map((id) => this.redis.get(this.recordKey(id))));
    return raws.flatMap((raw) => (raw === null ? [] : [JSON.parse(raw) as DeliveryRecord]));
  }
}
