import crypto from 'node:crypto';
import path from 'node:path';
import { LOAD_CUSTOMERS, loadInBatches, strangerRow } from '../../graph/bulkLoad';
import { connectGraph, Graph } from '../../graph/neo4j';
import { applyMigrations } from '../../graph/migrations';
import { emitEvents, NewEvent, pendingBatches, pendingEventCount } from '../../graph/outbox';
import { connectRedis } from '../../server/cache/store';
import { createLogger } from '../../server/logger';
import { EventStream, streamKeys } from '../../server/live/eventStream';
import { OutboxRelay, RELAY_PAGE } from '../../server/live/outboxRelay';
import { scratchServices } from '../local/scratch';
import { describeMachine, median, ROOT, say, table, timeIt, writeResults } from './common';

// What relaying the outbox to the live stream costs (server/live/outboxRelay.ts): every event a write emits is
// stored in the outbox with it, then read, appended to the Redis stream and deleted by the relay. Measures
//   - one relay flush of ROUND_EVENTS events written in transactions of 1,000 (the outbox of a recordEvents batch),
//     with no relay running meanwhile, median of ROUNDS rounds after a warm-up;
//   - a backlog (BACKLOG_EVENTS events left by a Redis outage): the time to read one page of it, and to drain it.
// Against NEO4J_URI and REDIS_URL, or throwaway local services.

const ROUND_EVENTS = Number(process.env.BENCH_RELAY_EVENTS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BACKLOG_EVENTS = Number(process.env.BENCH_RELAY_BACKLOG ?? 50_000);
const HEAP = '4g';
const PAGE_CACHE_MB = 2048;

/** `count` events in the outbox: 5 per new customer (each its own tree), written 1,000 a transaction. */
async function emit(graph: Graph, count: number): Promise<void> {
  const prefix = `brl-${crypto.randomBytes(4).toString('hex')}`;
  const ids = Array.from({ length: Math.ceil(count / 5) }, (_, k) => `${prefix}-${k}`);
  await loadInBatches(graph, LOAD_CUSTOMERS, ids.map((id) => strangerRow(id, 0)), 1000);
  const events = ids.flatMap((id) => Array.from({ length: 5 }, (): NewEvent => ({ type: 'CustomerSignedUp', subjectId: id, ids: { customerId: id } }))).slice(0, count);
  for (let start = 0; start < events.length; start += 1000) await graph.writeTransaction((tx) => emitEvents(tx, events.slice(start, start + 1000)));
}

async function main() {
  const scratch = path.join(ROOT, '.test-data', `bench-relay-${process.pid}`);
  const services = await scratchServices(scratch, { heap: HEAP, pageCacheMb: PAGE_CACHE_MB, say });
  const graph = connectGraph({ uri: services.neo4jUri, user: process.env.NEO4J_USER ?? 'neo4j', password: process.env.NEO4J_PASSWORD ?? '' });
  const store = connectRedis(services.redisUrl);
  const stream = new EventStream(store.redis, streamKeys(`bench-relay-${crypto.randomBytes(4).toString('hex')}`), 3_600_000);
  const relay = new OutboxRelay(graph, stream, createLogger('silent'), () => {});
  try {
    await applyMigrations(graph);
    await relay.flush();
    if ((await pendingEventCount(graph)) > 0) throw new Error('the outbox is not empty before the bench');

    const flushes: number[] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      await emit(graph, ROUND_EVENTS);
      const { ms } = await timeIt(() => relay.flush());
      const left = await pendingEventCount(graph);
      if (left > 0) throw new Error(`${left} events were not relayed`);
      if (round > 0) flushes.push(ms);
      say(`${round === 0 ? 'warm-up' : `round ${round}`}: ${ROUND_EVENTS} events relayed in ${ms.toFixed(0)} ms`);
    }

    await emit(graph, BACKLOG_EVENTS);
    const pages: number[] = [];
    for (let i = 0; i < 7; i++) pages.push((await timeIt(() => pendingBatches(graph, RELAY_PAGE))).ms);
    const { ms: drained } = await timeIt(() => relay.flush());
    if ((await pendingEventCount(graph)) > 0) throw new Error('the backlog was not drained');
    say(`backlog of ${BACKLOG_EVENTS}: a page read in ${median(pages).toFixed(1)} ms, drained in ${drained.toFixed(0)} ms`);

    const rate = (events: number, ms: number) => ((events / ms) * 1000).toFixed(0);
    const rows = [
      [`relay ${ROUND_EVENTS} events (median of ${ROUNDS} rounds)`, median(flushes).toFixed(0), rate(ROUND_EVENTS, median(flushes))],
      [`read one page of ${RELAY_PAGE} from a backlog of ${BACKLOG_EVENTS} (median of 7)`, median(pages).toFixed(1), ''],
      [`drain the backlog of ${BACKLOG_EVENTS}`, drained.toFixed(0), rate(BACKLOG_EVENTS, drained)],
    ];
    const body = [
      `Every event a write emits is stored in the outbox in the write's transaction (graph/outbox.ts); the relay (server/live/outboxRelay.ts) `,
      `reads pending batches (one node per transaction) in the order they were written, about ${RELAY_PAGE} events a page, appends their events to the Redis stream and deletes them. `,
      `Here ${ROUND_EVENTS} events (5 per new customer) are written in transactions of 1,000 with no relay running, then one relay flush is timed; `,
      `a warm-up round, then ${ROUNDS} measured. Then a backlog of ${BACKLOG_EVENTS} events, as a Redis outage would leave it: one page read, and the whole drain. `,
      `Neo4j and Redis ${process.env.NEO4J_URI ? 'given by NEO4J_URI and REDIS_URL' : 'are throwaway local services'}; the relay runs in this process.\n\n`,
      table(['what', 'ms', 'events/s'], rows),
    ].join('');
    const file = writeResults('relay.md', 'Relaying the outbox to the live stream', 'npm run bench:relay', await describeMachine(graph, HEAP, PAGE_CACHE_MB), body);
    say(`written to ${file}`);
  } finally {
    await store.redis.del(stream.keys.stream, stream.keys.sequences).catch(() => {});
    await store.close();
    await graph.close();
    await services.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
