import type { Cluster, Redis } from 'ioredis';
import type { Graph } from '../../../graph/neo4j';
import type { DomainEventType } from '../../../graph/outbox';
import { enabledWebhooks, webhookEventOf } from '../../../graph/webhooks';
import type { WebhookEvent } from '../../../schema/generated/types';

/** Moved by every change to the endpoints (created, disabled, deleted), after it commits. */
export const WEBHOOK_ENDPOINTS_VERSION_KEY = 'grapevine:webhook-endpoints-version';

/** A process reads the endpoints again at least this often even if no change was announced (one lost in an outage). */
const MAX_AGE_MS = 60_000;

interface Endpoints {
  version: string | null;
  readAt: number;
  endpoints: ReadonlyArray<{ id: string; events: ReadonlySet<WebhookEvent> }>;
}

/**
 * Which endpoints want which events, for the dispatcher. The endpoints change rarely and are wanted for every page of
 * the stream, so each process keeps them and asks Redis, not Neo4j, whether they changed: a change moves
 * WEBHOOK_ENDPOINTS_VERSION_KEY after it commits and before its mutation answers, so an event caused after a client saw
 * its endpoint created (or disabled) is dispatched with the endpoints read after the change.
 */
export class WebhookSubscriptions {
  private cached: Endpoints | undefined;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly graph: Graph,
    private readonly maxAgeMs = MAX_AGE_MS,
  ) {}

  /** Announces a committed change to the endpoints to every process. */
  async changed(): Promise<void> {
    this.cached = undefined;
    await this.redis.incr(WEBHOOK_ENDPOINTS_VERSION_KEY);
  }

  /** Reads the endpoints anew at the next call (after a Redis error, when an announcement may have been lost). */
  forget(): void {
    this.cached = undefined;
  }

  /** The enabled endpoints that want each of these kinds of events. */
  async endpointsFor(types: readonly DomainEventType[]): Promise<Map<DomainEventType, string[]>> {
    const byType = new Map<DomainEventType, string[]>([...new Set(types)].map((type) => [type, []]));
    if (byType.size === 0) return byType;
    const { endpoints } = await this.current();
    for (const [type, ids] of byType) {
      const wanted = webhookEventOf(type);
      for (const endpoint of endpoints) if (endpoint.events.has(wanted)) ids.push(endpoint.id);
    }
    return byType;
  }

  private async current(): Promise<Endpoints> {
    const version = await this.redis.get(WEBHOOK_ENDPOINTS_VERSION_KEY);
    const cached = this.cached;
    if (cached && cached.version === version && Date.now() - cached.readAt < this.maxAgeMs) return cached;
    // The version is read before the endpoints: a change committing in between moves it again, so the next call reads anew.
    const readAt = Date.now();
    const endpoints = (await enabledWebhooks(this.graph)).map(({ id, events }) => ({ id, events: new Set(events) }));
    this.cached = { version, readAt, endpoints };
    return this.cached;
  }
}
