import { badInput, DomainError, withinField } from '../../graph/errors';
import type { DomainEvent } from '../../graph/outbox';
import { createWebhook, deleteWebhook, disableWebhook, listWebhooks, requireWebhook, webhookEventOf } from '../../graph/webhooks';
import { authorize } from '../auth';
import type { RequestContext } from '../context';
import type { Resolvers } from '../generated/graphql';
import type { EventFilter } from '../live/eventHub';
import type { DeliveryRecord } from '../live/webhooks/deliveryLog';

// Subscriptions (served over WebSocket by server/live/subscriptionServer.ts) and webhook administration.

const unavailable = (what: string) => new DomainError('SERVICE_UNAVAILABLE', undefined, `${what} need Redis, which this server runs without.`);

function liveOf(ctx: RequestContext) {
  if (!ctx.live) throw unavailable('Live events');
  return ctx.live;
}

function webhooksOf(ctx: RequestContext) {
  const webhooks = liveOf(ctx).webhooks;
  if (!webhooks) throw unavailable('Webhooks');
  return webhooks;
}

/**
 * A change to the webhook endpoints, announced once committed so that every process's dispatcher reads them anew
 * (server/live/webhooks/subscriptions.ts). The change stands if the announcement fails (Redis away): a dispatcher
 * reads the endpoints again after its own Redis errors, and at least once a minute.
 */
async function changeEndpoints<T>(ctx: RequestContext, change: () => Promise<T>): Promise<T> {
  const changed = await withinField('input', change);
  await ctx.live?.webhooks?.subscriptions.changed().catch((error: unknown) => ctx.log.warn({ err: error }, 'webhook endpoints changed but could not announce it'));
  return changed;
}

/** A subscription field: authorize, then this process's events that pass `filter`. */
const feed = (filter: (args: never, event: DomainEvent) => boolean, permission: 'readEntities' | 'reviewFraud') => ({
  subscribe: (_root: unknown, args: never, ctx: RequestContext) => {
    authorize(ctx.caller, permission);
    const wanted: EventFilter = (event) => filter(args, event);
    return liveOf(ctx).hub.subscribe(wanted);
  },
  resolve: (event: DomainEvent) => event,
});

const deliveryView = (record: DeliveryRecord) => ({
  id: record.id,
  webhookId: record.webhookId,
  eventId: record.event.id,
  eventType: webhookEventOf(record.event.type),
  status: record.status,
  attempts: record.attempts,
  nextRetryAt: record.nextRetryAt,
  createdAt: record.createdAt,
});

export const liveResolvers: Resolvers = {
  Subscription: {
    referralActivity: feed((args: { campaignId: string }, event) => event.campaignId === args.campaignId, 'readEntities') as never,
    chainActivity: feed((args: { rootCustomerId: string }, event) => event.rootCustomerId === args.rootCustomerId, 'readEntities') as never,
    reviewQueueChanged: feed((_args, event) => event.type === 'ReviewPosted' || event.type === 'ReferralHeld' || event.type === 'RewardChanged', 'reviewFraud') as never,
  },
  LiveEvent: {
    type: (event) => webhookEventOf(event.type),
    sequence: (event) => event.seq,
    customerId: (event) => event.customerId ?? null,
    referrerId: (event) => event.referrerId ?? null,
    inviteeId: (event) => event.inviteeId ?? null,
    campaignId: (event) => event.campaignId ?? null,
    productId: (event) => event.productId ?? null,
    rewardId: (event) => event.rewardId ?? null,
    generation: (event) => event.generation ?? null,
    customer: (event, _args, ctx) => (event.customerId ? ctx.loaders.customer.load(event.customerId) : null),
  },
  Query: {
    webhooks: (_root, _args, ctx) => {
      authorize(ctx.caller, 'manageWebhooks');
      return listWebhooks(ctx.graph);
    },
    webhookDeliveries: async (_root, { webhookId, limit }, ctx) => {
      authorize(ctx.caller, 'manageWebhooks');
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw badInput('limit', 'limit must be between 1 and 200.');
      await requireWebhook(ctx.graph, 'webhookId', webhookId);
      return (await webhooksOf(ctx).log.recent(webhookId, limit)).map(deliveryView);
    },
  },
  Mutation: {
    createWebhook: (_root, { input }, ctx) => {
      authorize(ctx.caller, 'manageWebhooks');
      return changeEndpoints(ctx, () => createWebhook(ctx.graph, input));
    },
    disableWebhook: (_root, { input }, ctx) => {
      authorize(ctx.caller, 'manageWebhooks');
      return changeEndpoints(ctx, () => disableWebhook(ctx.graph, input.id));
    },
    deleteWebhook: (_root, { input }, ctx) => {
      authorize(ctx.caller, 'manageWebhooks');
      return changeEndpoints(ctx, () => deleteWebhook(ctx.graph, input.id));
    },
    redeliver: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'manageWebhooks');
      const { log, queue } = webhooksOf(ctx);
      const original = await log.get(input.deliveryId);
      if (!original) throw new DomainError('NOT_FOUND', 'input.deliveryId', `no delivery with id "${input.deliveryId.slice(0, 100)}" (deliveries are kept 7 days).`);
      await requireWebhook(ctx.graph, 'input.deliveryId', original.webhookId);
      const id = `${original.webhookId}_${original.event.id}_r${Date.now().toString(36)}`;
      const record = await queue.enqueue(id, original.webhookId, original.event);
      return deliveryView(record ?? (await log.get(id))!);
    },
  },
};
