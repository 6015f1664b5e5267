import crypto from 'node:crypto';
import os from 'node:os';
import type { Graph } from '../../graph/neo4j';
import { onEventsCommitted } from '../../graph/outbox';
import { createRedisClient, RedisConnection, withTimeouts } from '../cache/redisConnection';
import { KeyValueStore, RedisStore } from '../cache/store';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { EventHub } from './eventHub';
import { EventStream, StreamReader, streamKeys } from './eventStream';
import { OutboxRelay } from './outboxRelay';
import { DeliveryLog } from './webhooks/deliveryLog';
import { DeliveryQueue } from './webhooks/deliveryQueue';
import { WebhookDispatcher } from './webhooks/dispatcher';
import { WebhookSubscriptions } from './webhooks/subscriptions';

type LiveConfig = Pick<
  Config,
  | 'EVENT_STREAM_KEY'
  | 'EVENT_STREAM_RETENTION_HOURS'
  | 'WEBHOOK_ALLOW_HOSTS'
  | 'WEBHOOK_TIMEOUT_SECONDS'
  | 'WEBHOOK_DEADLINE_SECONDS'
  | 'WEBHOOK_RETRY_BASE_MS'
  | 'WEBHOOK_RETRY_MAX_MS'
  | 'WEBHOOK_QUEUE'
>;

/** What resolvers use: the subscribers' hub, and (with Redis) the webhook delivery log and queue. */
export interface LiveContext {
  hub: EventHub;
  webhooks?: { log: DeliveryLog; queue: DeliveryQueue; subscriptions: WebhookSubscriptions };
}

export interface Live extends LiveContext {
  relay: OutboxRelay;
  stop(): Promise<void>;
}

/** A connection for blocking reads and BullMQ: no command timeout, commands wait for a reconnect. */
function blockingClient(connection: RedisConnection) {
  const base = withTimeouts(connection, 5000);
  const patient = { commandTimeout: undefined, maxRetriesPerRequest: null, enableOfflineQueue: true };
  if (base.kind === 'cluster') return createRedisClient({ ...base, options: { ...base.options, redisOptions: { ...base.options.redisOptions, ...patient } } });
  return createRedisClient({ ...base, options: { ...base.options, ...patient } });
}

/**
 * Live events in this process: the relay from the outbox to the stream (after each commit that emitted
 * events, on Redis reconnect, and from the outbox-sweep job), the stream reader feeding this process's
 * subscribers, and the webhook dispatcher and delivery worker. Without Redis (one process) events go from
 * the outbox straight to the subscribers here, and webhooks are off.
 */
export function startLive(deps: { graph: Graph; store: KeyValueStore; redis: RedisConnection | undefined; config: LiveConfig; log: Logger }): Live {
  const { graph, store, config, log } = deps;
  const hub = new EventHub();
  const closers: Array<() => Promise<void>> = [];
  let stream: EventStream | undefined;
  let webhooks: LiveContext['webhooks'];

  if (deps.redis && store instanceof RedisStore) {
    const keys = streamKeys(config.EVENT_STREAM_KEY);
    stream = new EventStream(store.redis, keys, config.EVENT_STREAM_RETENTION_HOURS * 3_600_000);
    const reader = new StreamReader(blockingClient(deps.redis), keys.stream, (event) => hub.publish(event), log);
    reader.start();
    closers.push(() => reader.stop());

    const log_ = new DeliveryLog(store.redis, `grapevine:webhook:${config.WEBHOOK_QUEUE}`);
    const queueClient = blockingClient(deps.redis);
    const workerClient = blockingClient(deps.redis);
    const queue = new DeliveryQueue(
      graph,
      log_,
      { queue: queueClient, worker: workerClient },
      {
        queueName: config.WEBHOOK_QUEUE,
        policy: { timeoutMs: config.WEBHOOK_TIMEOUT_SECONDS * 1000, allowHosts: config.WEBHOOK_ALLOW_HOSTS },
        retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
        retryMaxMs: config.WEBHOOK_RETRY_MAX_MS,
        deadlineMs: config.WEBHOOK_DEADLINE_SECONDS * 1000,
        concurrency: 10,
      },
      log,
    );
    const consumer = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
    const subscriptions = new WebhookSubscriptions(store.redis, graph);
    const dispatcher = new WebhookDispatcher(blockingClient(deps.redis), keys.stream, consumer, subscriptions, queue, log, config.WEBHOOK_QUEUE);
    dispatcher.start();
    closers.push(async () => {
      await dispatcher.stop();
      await queue.close();
      queueClient.disconnect();
      workerClient.disconnect();
    });
    webhooks = { log: log_, queue, subscriptions };
  } else {
    log.warn('no Redis: live events reach subscribers of this process only, and webhooks are off');
  }

  const relay = new OutboxRelay(graph, stream, log, (event) => hub.publish(event));
  const unsubscribe = onEventsCommitted((batch) => void relay.relayCommitted(batch));
  store.onReconnect(() => void relay.flush());
  // Rows a previous run left (a crash between commit and relay) go out now, not at the first sweep.
  void relay.flush();

  return {
    hub,
    webhooks,
    relay,
    async stop() {
      unsubscribe();
      await relay.flush();
      hub.close();
      for (const close of closers) await close();
    },
  };
}
