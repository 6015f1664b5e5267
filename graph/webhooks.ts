import crypto from 'node:crypto';
import type { CreateWebhookInput, WebhookEvent } from '../schema/generated/types';
import { badInput, notFound } from './errors';
import { cypher, Graph } from './neo4j';
import type { DomainEventType } from './outbox';

/**
 * Webhook endpoints, stored in Neo4j with the rest of the service's durable state. The secret is stored
 * (deliveries are signed with it) but no read here returns it except `webhookSecret`, which the sender uses.
 */
export interface WebhookRecord {
  id: string;
  url: string;
  events: WebhookEvent[];
  enabled: boolean;
  createdAt: number;
}

const WEBHOOK_EVENT_OF: Record<DomainEventType, WebhookEvent> = {
  CustomerSignedUp: 'CUSTOMER_SIGNED_UP',
  ReferralCredited: 'REFERRAL_CREDITED',
  ReferralConverted: 'REFERRAL_CONVERTED',
  ReferralHeld: 'REFERRAL_HELD',
  RewardChanged: 'REWARD_CHANGED',
  ReviewPosted: 'REVIEW_POSTED',
  ChainGrew: 'CHAIN_GREW',
};

/** The SDL's name of a domain event type. */
export const webhookEventOf = (type: DomainEventType): WebhookEvent => WEBHOOK_EVENT_OF[type];

const PROJECTION = `{.id, .url, .events, .enabled, .createdAt}`;

const CREATE = cypher<{ webhook: WebhookRecord }>(
  'webhook.create',
  `CREATE (w:Webhook {id: $id, url: $url, events: $events, secret: $secret, enabled: true, createdAt: $now})
   RETURN w ${PROJECTION} AS webhook`,
);
const LIST = cypher<{ webhook: WebhookRecord }>('webhook.list', `MATCH (w:Webhook) RETURN w ${PROJECTION} AS webhook ORDER BY w.createdAt DESC, w.id`);
const BY_ID = cypher<{ webhook: WebhookRecord; secret: string }>('webhook.byId', `MATCH (w:Webhook {id: $id}) RETURN w ${PROJECTION} AS webhook, w.secret AS secret`);
const DISABLE = cypher<{ webhook: WebhookRecord }>('webhook.disable', `MATCH (w:Webhook {id: $id}) SET w.enabled = false RETURN w ${PROJECTION} AS webhook`);
const DELETE = cypher<{ id: string }>('webhook.delete', `MATCH (w:Webhook {id: $id}) WITH w, w.id AS id DELETE w RETURN id`);
const ENABLED = cypher<{ id: string; events: WebhookEvent[] }>('webhook.enabled', 'MATCH (w:Webhook) WHERE w.enabled RETURN w.id AS id, w.events AS events');

export const SECRET_LENGTH = { min: 16, max: 200 } as const;

function parseWebhook(input: CreateWebhookInput): { url: string; events: WebhookEvent[]; secret: string } {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    throw badInput('url', 'url must be an absolute http or https URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badInput('url', 'url must be an http or https URL.');
  if (url.username || url.password) throw badInput('url', 'url must not carry credentials; sign with the secret instead.');
  if (input.url.length > 2000) throw badInput('url', 'url is longer than 2000 characters.');
  const events = [...new Set(input.events)];
  if (events.length === 0) throw badInput('events', 'events must name at least one kind of event.');
  if (input.secret.length < SECRET_LENGTH.min || input.secret.length > SECRET_LENGTH.max) {
    throw badInput('secret', `secret must be ${SECRET_LENGTH.min} to ${SECRET_LENGTH.max} characters.`);
  }
  return { url: url.toString(), events, secret: input.secret };
}

export async function createWebhook(graph: Graph, input: CreateWebhookInput, now = Date.now()): Promise<WebhookRecord> {
  const parsed = parseWebhook(input);
  const [row] = await graph.write(CREATE, { ...parsed, id: `wh_${crypto.randomBytes(12).toString('hex')}`, now });
  return row.webhook;
}

export async function listWebhooks(graph: Graph): Promise<WebhookRecord[]> {
  return (await graph.read(LIST)).map((row) => row.webhook);
}

/** The endpoint with its secret, for signing; null when deleted. */
export async function webhookForDelivery(graph: Graph, id: string): Promise<{ webhook: WebhookRecord; secret: string } | null> {
  const [row] = await graph.read(BY_ID, { id });
  return row ?? null;
}

export async function requireWebhook(graph: Graph, field: string, id: string): Promise<WebhookRecord> {
  const found = await webhookForDelivery(graph, id);
  if (!found) throw notFound(field, `no webhook with id "${id.slice(0, 64)}".`);
  return found.webhook;
}

export async function disableWebhook(graph: Graph, id: string): Promise<WebhookRecord> {
  const [row] = await graph.write(DISABLE, { id });
  if (!row) throw notFound('id', `no webhook with id "${id.slice(0, 64)}".`);
  return row.webhook;
}

export async function deleteWebhook(graph: Graph, id: string): Promise<string> {
  const [row] = await graph.write(DELETE, { id });
  if (!row) throw notFound('id', `no webhook with id "${id.slice(0, 64)}".`);
  return row.id;
}

/** Every enabled endpoint with the kinds of events it wants (the dispatcher keeps them between changes, server/live/webhooks). */
export async function enabledWebhooks(graph: Graph): Promise<Array<{ id: string; events: WebhookEvent[] }>> {
  return graph.read(ENABLED);
}
