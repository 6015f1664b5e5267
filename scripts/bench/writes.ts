import crypto from 'node:crypto';
import type { EventInput } from '../../schema/generated/types';
import { LOAD_CAMPAIGNS, LOAD_CUSTOMERS, LOAD_KNOWS, LOAD_PRODUCTS, LOAD_PURCHASES, LOAD_REFERRALS, loadInBatches, strangerRow } from '../../graph/bulkLoad';
import { recordEventsOneByOne } from '../../graph/events';
import type { Graph, QueryObserver } from '../../graph/neo4j';
import { pendingEventCount } from '../../graph/outbox';
import { addStatementTime, BenchEnv, median, percentile, say, startBenchEnv, startRelay, StatementTotals, table, timeIt, writeResults } from './common';
import { floorWrites } from './writeFloor';
import { DAY, storyEvents } from './story';

// `npm run bench:writes`: events per second recorded through recordEvents (set-based, batches of 1,000),
// through the per-event reference path (recordEventsOneByOne), through one mutation per event from 16
// concurrent clients (with the median latency), and as raw UNWIND Cypher through the driver, side by side.

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// Rounds run first and not counted: the first statements of a fresh store are planned and JIT-compiled, and the
// planner replans them as the store doubles in the first rounds (measured: the round after a single warm-up round
// still ran at a third of the later ones' rate), so uncounted rounds keep warm-up out of the medians and the profile.
const WARMUP_ROUNDS = Number(process.env.BENCH_WARMUP_ROUNDS ?? 2);
const BATCH_UNITS = Number(process.env.BENCH_BATCH_UNITS ?? 1000); // 5 events a unit
// The store's population before the rounds, written through recordEvents. Neo4j replans a cached statement once the
// counts it was planned on have moved by more than a threshold (75% at first, less as the plan ages; at most every 10 s):
// on a store that starts empty and doubles every round, every statement is replanned every round, and the combined
// statements of the write path take 0.1 to 1 s of Neo4j's CPU each to plan. A store in service grows a few percent a day.
const BASE_UNITS = Number(process.env.BENCH_BASE_UNITS ?? 20_000);
const SINGLE_UNITS = Number(process.env.BENCH_SINGLE_UNITS ?? 400);
const ONE_BY_ONE_UNITS = Number(process.env.BENCH_ONE_BY_ONE_UNITS ?? 200);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
// A comma-separated subset of the modes, for quick comparisons while tuning (the results file is written only for all of them).
const ONLY_MODES = process.env.BENCH_MODES?.split(',');
const EVENTS_PER_UNIT = 5;
const T0 = Date.UTC(2026, 5, 1);
const CAMPAIGN = 'bench-writes';
const PRODUCT = 'bench-product';

/** One referral story: a referrer joins, invites a friend, who signs up and buys; they connect. */
const unit = (prefix: string, k: number) => storyEvents({ prefix, k, campaign: CAMPAIGN, product: PRODUCT, t0: T0 }, (epochMs) => new Date(epochMs).toISOString());

/** The API's DateTime scalar turns ISO instants into epoch milliseconds; the in-process path does it here. */
function withInstants(event: object): EventInput {
  return JSON.parse(JSON.stringify(event), (name, value: unknown) => (name === 'at' && typeof value === 'string' ? Date.parse(value) : value)) as EventInput;
}

const MUTATION_FOR: Record<string, [string, string]> = {
  upsertCustomer: ['UpsertCustomerInput', 'id'],
  recordInvite: ['RecordInviteInput', 'status'],
  recordSignup: ['RecordSignupInput', 'customer { id }'],
  recordPurchase: ['RecordPurchaseInput', 'orderId'],
  connectCustomers: ['ConnectCustomersInput', 'strength'],
};

/** Time per named statement (and commit), per mode: where a mode's time goes inside Neo4j round trips. */
class StatementProfile {
  mode = 'setup';
  private readonly byMode = new Map<string, StatementTotals>();

  /** The current mode's totals. */
  private get current(): StatementTotals {
    const statements = this.byMode.get(this.mode) ?? new Map();
    this.byMode.set(this.mode, statements);
    return statements;
  }

  readonly observe: QueryObserver = (name, seconds) => addStatementTime(this.current, name, 1, seconds);

  /** What the API processes counted between two reads of their totals, added to the current mode. */
  addCounted(before: StatementTotals | undefined, after: StatementTotals | undefined): void {
    if (!before || !after) return;
    for (const [name, total] of after) {
      const earlier = before.get(name) ?? { calls: 0, seconds: 0 };
      if (total.calls !== earlier.calls) addStatementTime(this.current, name, total.calls - earlier.calls, total.seconds - earlier.seconds);
    }
  }

  /** One table for `mode`: calls and time per unit of work (a batch, a mutation), slowest first. */
  table(mode: string, units: number, unit: string): string {
    const statements = [...(this.byMode.get(mode) ?? new Map<string, { calls: number; seconds: number }>()).entries()].sort((a, b) => b[1].seconds - a[1].seconds);
    const total = statements.reduce((sum, [, entry]) => sum + entry.seconds, 0);
    const rows = statements.map(([name, entry]) => [
      name, (entry.calls / units).toFixed(2), ((entry.seconds * 1000) / entry.calls).toFixed(2), ((entry.seconds * 1000) / units).toFixed(2), `${((100 * entry.seconds) / total).toFixed(0)}%`,
    ]);
    rows.push(['all', (statements.reduce((sum, [, entry]) => sum + entry.calls, 0) / units).toFixed(2), '', ((total * 1000) / units).toFixed(2), '100%']);
    return table(['statement', `calls per ${unit}`, 'ms per call (mean)', `ms per ${unit}`, 'share'], rows);
  }
}

/**
 * Waits until every event the writes emitted is relayed to the live stream: a mode's time includes the relay's work
 * (graph/outbox.ts, server/live/outboxRelay.ts), which otherwise runs on after the mode and into the next one's time.
 */
async function outboxDrained(graph: Graph): Promise<void> {
  while ((await pendingEventCount(graph)) > 0) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** `events` through the API's recordEvents, 1,000 a request, one request at a time. */
async function recordInBatches(gql: BenchEnv['gql'], events: readonly object[]): Promise<void> {
  for (let start = 0; start < events.length; start += 1000) {
    await gql('mutation($events: [EventInput!]!) { recordEvents(events: $events) { index } }', { events: events.slice(start, start + 1000) });
  }
}

/** CLIENTS concurrent clients, each sending its own units' events one mutation at a time, in order. */
async function singleMutations(gql: BenchEnv['gql'], prefix: string, latencies: number[]): Promise<number> {
  const units = Array.from({ length: SINGLE_UNITS }, (_, k) => unit(prefix, k));
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let k = client; k < units.length; k += CLIENTS) {
        for (const event of units[k]) {
          const [field, input] = Object.entries(event)[0];
          const [type, selection] = MUTATION_FOR[field];
          const started = process.hrtime.bigint();
          await gql(`mutation($input: ${type}!) { ${field}(input: $input) { ${selection} } }`, { input });
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
      }
    }),
  );
  return units.length * EVENTS_PER_UNIT;
}

async function main() {
  const profile = new StatementProfile();
  // The API in a process of its own, as `npm start` runs it: the 16 clients' HTTP work is not paid on its event loop.
  const env = await startBenchEnv('writes', undefined, undefined, profile.observe, { apiProcess: true });
  // The in-process writes (oneByOne) are relayed by this process, as every process of the service relays its own.
  const relay = startRelay(env.graph, env.redisUrl);
  let alone: Awaited<ReturnType<BenchEnv['startVariant']>> | undefined;
  let twoGroups: Awaited<ReturnType<BenchEnv['startVariant']>> | undefined;
  try {
    await env.graph.write(LOAD_CAMPAIGNS, { rows: [{ id: CAMPAIGN, name: 'Bench', startsAt: T0 - DAY, endsAt: T0 + 365 * DAY, attributionWindowDays: 30, attributionModel: 'LAST_TOUCH' }] });
    await env.graph.write(LOAD_PRODUCTS, { rows: [{ id: PRODUCT, name: 'Bench product' }] });
    // The variants start before the base population, as the main API does: a process's first background refresh of the
    // whole-graph snapshots runs as it starts, and on 40,000 customers it would run into the measured rounds.
    alone = await env.startVariant({ EVENT_GROUP_MAX_EVENTS: '1' });
    const aloneApi = alone;
    twoGroups = await env.startVariant({ EVENT_GROUPS_IN_FLIGHT: '2' });
    const twoGroupsApi = twoGroups;

    say(`base population: ${BASE_UNITS} units (${BASE_UNITS * EVENTS_PER_UNIT} events) through recordEvents…`);
    const base = await timeIt(async () => {
      await recordInBatches(env.gql, Array.from({ length: BASE_UNITS }, (_, k) => unit('bw-base', k)).flat());
      await outboxDrained(env.graph);
    });
    say(`base population written in ${(base.ms / 1000).toFixed(1)}s`);

    const latencies = { singleMutations: [] as number[], singleMutationsTwoGroups: [] as number[], singleMutationsAlone: [] as number[], rawSingleWrites: [] as number[] };
    const modes = {
      async recordEvents(prefix: string) {
        const events = Array.from({ length: BATCH_UNITS }, (_, k) => unit(prefix, k)).flat();
        await recordInBatches(env.gql, events);
        return events.length;
      },
      async oneByOne(prefix: string) {
        // The per-event reference path, called in process (no HTTP), in batches of 1,000.
        const events = Array.from({ length: ONE_BY_ONE_UNITS }, (_, k) => unit(prefix, k)).flat();
        for (let start = 0; start < events.length; start += 1000) {
          await recordEventsOneByOne(env.graph, events.slice(start, start + 1000).map((event) => withInstants(event)));
        }
        return events.length;
      },
      // Single mutations through the API as configured (group commit on, one group at a time), through a second API
      // beside it that writes two groups at once (EVENT_GROUPS_IN_FLIGHT=2), and through a third that writes each event
      // in its own transaction (EVENT_GROUP_MAX_EVENTS=1), as every mutation was written before group commit.
      singleMutations: (prefix: string) => singleMutations(env.gql, prefix, latencies.singleMutations),
      singleMutationsTwoGroups: (prefix: string) => singleMutations(twoGroupsApi.gql, prefix, latencies.singleMutationsTwoGroups),
      singleMutationsAlone: (prefix: string) => singleMutations(aloneApi.gql, prefix, latencies.singleMutationsAlone),
      async rawSingleWrites(prefix: string) {
        // The floor under single mutations: the same writes, one bare statement per transaction (scripts/bench/writeFloor.ts).
        let next = 0;
        await Promise.all(
          Array.from({ length: CLIENTS }, async () => {
            for (let k = next++; k < SINGLE_UNITS; k = next++) {
              for (const write of floorWrites(env.graph, { prefix, k, campaign: CAMPAIGN, product: PRODUCT, t0: T0 })) {
                const started = process.hrtime.bigint();
                await write();
                latencies.rawSingleWrites.push(Number(process.hrtime.bigint() - started) / 1e6);
              }
            }
          }),
        );
        return SINGLE_UNITS * EVENTS_PER_UNIT;
      },
      async rawUnwind(prefix: string) {
        const ks = Array.from({ length: BATCH_UNITS }, (_, k) => k);
        const customers = ks.flatMap((k) => [`${prefix}-r-${k}`, `${prefix}-i-${k}`]).map((id) => strangerRow(id, T0));
        await loadInBatches(env.graph, LOAD_CUSTOMERS, customers, 1000);
        await loadInBatches(env.graph, LOAD_REFERRALS, ks.map((k) => ({
          referrerId: `${prefix}-r-${k}`, inviteeId: `${prefix}-i-${k}`, campaign: CAMPAIGN, channel: 'email', status: 'CONVERTED',
          invitedAt: T0, clickedAt: null, signedUpAt: T0 + DAY, firstPurchaseAt: T0 + 2 * DAY,
        })), 1000);
        await loadInBatches(env.graph, LOAD_PURCHASES, ks.map((k) => ({ customerId: `${prefix}-i-${k}`, productId: PRODUCT, orderId: `${prefix}-o-${k}`, amount: 20, at: T0 + 2 * DAY })), 1000);
        await loadInBatches(env.graph, LOAD_KNOWS, ks.map((k) => [`${prefix}-r-${k}`, `${prefix}-i-${k}`, 0.5]), 1000, undefined, { now: T0 });
        return BATCH_UNITS * EVENTS_PER_UNIT;
      },
    };

    const rates: Record<keyof typeof modes, number[]> = { recordEvents: [], oneByOne: [], singleMutations: [], singleMutationsTwoGroups: [], singleMutationsAlone: [], rawSingleWrites: [], rawUnwind: [] };
    for (let round = 1 - WARMUP_ROUNDS; round <= ROUNDS; round++) {
      const warmUp = round < 1;
      for (const mode of (Object.keys(modes) as Array<keyof typeof modes>).filter((name) => !ONLY_MODES || ONLY_MODES.includes(name))) {
        const prefix = `bw-${crypto.randomBytes(4).toString('hex')}`;
        // Warm-up rounds count neither in the rates nor in the statement profile.
        profile.mode = warmUp ? `${mode} (warm-up)` : mode;
        const before = await env.apiStatementTotals();
        const { ms, value: events } = await timeIt(async () => {
          const written = await modes[mode](prefix);
          await outboxDrained(env.graph);
          return written;
        });
        profile.addCounted(before, await env.apiStatementTotals());
        if (!warmUp) rates[mode].push((events / ms) * 1000);
        say(`${warmUp ? 'warm-up round' : 'round'} ${warmUp ? round + WARMUP_ROUNDS : round} ${mode}: ${events} events in ${(ms / 1000).toFixed(2)}s = ${((events / ms) * 1000).toFixed(0)} events/s`);
      }
    }
    const p50 = (mode: string) => {
      const measured = latencies[mode as keyof typeof latencies];
      return measured ? `${percentile(measured, 50).toFixed(1)} ms (p95 ${percentile(measured, 95).toFixed(1)})` : '';
    };
    const statementTable = (mode: string) =>
      mode === 'recordEvents' || mode === 'oneByOne'
        ? profile.table(mode, ROUNDS * Math.ceil(((mode === 'recordEvents' ? BATCH_UNITS : ONE_BY_ONE_UNITS) * EVENTS_PER_UNIT) / 1000), 'batch')
        : profile.table(mode, ROUNDS * SINGLE_UNITS * EVENTS_PER_UNIT, 'mutation');
    if (ONLY_MODES) {
      // A quick look at some modes (an A/B of a setting, say): their rates, latencies and statements; no results file.
      for (const mode of ONLY_MODES) {
        say(`${mode}: median ${median(rates[mode as keyof typeof modes]).toFixed(0)} events/s over ${ROUNDS} rounds${p50(mode) ? `, latency p50 ${p50(mode)}` : ''}`);
        process.stdout.write(`\n${mode}, statements:\n\n${statementTable(mode)}\n\n`);
      }
      return;
    }
    const raw = median(rates.rawUnwind);
    // Single mutations are measured against the floor of one transaction per event, batches against raw UNWIND.
    const singleFloor = median(rates.rawSingleWrites);
    const toSingleFloor = (mode: string) => (mode.startsWith('single') ? (median(rates[mode as keyof typeof modes]) / singleFloor).toFixed(3) : '');
    const rows = (Object.keys(rates) as Array<keyof typeof modes>).map((mode) => [
      mode, median(rates[mode]).toFixed(0), Math.min(...rates[mode]).toFixed(0), Math.max(...rates[mode]).toFixed(0), (median(rates[mode]) / raw).toFixed(3), toSingleFloor(mode), p50(mode),
    ]);
    const header = ['mode', 'events/s (median)', 'min', 'max', 'ratio to raw UNWIND', 'ratio to raw single writes', 'latency p50 per event'];
    const body = [
      `Each unit is 5 events (upsert a referrer, invite a new friend, the friend signs up and buys, the two connect). `,
      `Before the rounds the store is given ${BASE_UNITS.toLocaleString('en')} units through recordEvents (${(2 * BASE_UNITS).toLocaleString('en')} customers), so that the rounds write into a store in service, growing a few percent a round, rather than into an empty one that Neo4j replans every statement for as it doubles (base population written in ${(base.ms / 1000).toFixed(0)} s). `,
      `The API runs in a process of its own, started as \`npm start\` starts it (NODE_ENV=production, LOG_LEVEL=info, its log to a file), and so does each variant below, all started before the base population (a process refreshes its whole-graph snapshots as it starts; later refreshes are put off for a day), so that no background refresh runs into the rounds; `,
      `the statement profile adds what their /metrics counted during each mode to what this process ran. `,
      `recordEvents (set-based) sends ${BATCH_UNITS * EVENTS_PER_UNIT} events in batches of 1,000 over HTTP; `,
      `oneByOne writes ${ONE_BY_ONE_UNITS * EVENTS_PER_UNIT} events in batches of 1,000 through the per-event reference path (recordEventsOneByOne, in process, no HTTP); `,
      `singleMutations sends ${SINGLE_UNITS * EVENTS_PER_UNIT} events one mutation each from ${CLIENTS} concurrent clients (each client's units in order), latency per mutation over all rounds, `,
      `through the API as configured (group commit: events arriving together are written together, one group at a time, graph/eventCoalescer.ts); `,
      `singleMutationsTwoGroups sends the same through a second API beside it with EVENT_GROUPS_IN_FLIGHT=2 (two groups written at once); `,
      `singleMutationsAlone sends the same through a third API with EVENT_GROUP_MAX_EVENTS=1 (each event in its own transaction, as before group commit); `,
      `rawSingleWrites is their floor: the same ${SINGLE_UNITS * EVENTS_PER_UNIT} writes from ${CLIENTS} concurrent callers, each a bare one-row statement in its own transaction through the driver (no HTTP, no rules, no idempotency, no outbox); `,
      `rawUnwind writes the same final graph for ${BATCH_UNITS} units with UNWIND batches of 1,000 rows through the driver, with no validation, idempotency or attribution. `,
      `${WARMUP_ROUNDS} warm-up round${WARMUP_ROUNDS === 1 ? '' : 's'} (not counted: plan cache, JIT, replanning as the store grows), then ${ROUNDS} measured rounds, `,
      `modes interleaved in each round; the median of the measured rounds is quoted, with their min and max. `,
      `A mode's time runs until its last event is relayed from the outbox to the live stream, so the relay's work counts in the mode that caused it.\n\n`,
      table(header, rows),
      `\n\n## Where the time goes: time per named statement\n\n`,
      `Every statement's time as the driver sees it (send to last record, so it includes waiting for locks), plus each transaction's commit, summed over the ${ROUNDS} measured rounds (warm-up rounds excluded). `,
      `With ${CLIENTS} concurrent clients the per-mutation sums overlap in wall time.\n\n`,
      `recordEvents, per batch of 1,000 events:\n\n`,
      statementTable('recordEvents'),
      `\n\nsingleMutations (group commit), per mutation:\n\n`,
      statementTable('singleMutations'),
      `\n\nsingleMutationsTwoGroups (group commit, two groups at once), per mutation:\n\n`,
      statementTable('singleMutationsTwoGroups'),
      `\n\nsingleMutationsAlone (each event in its own transaction), per mutation:\n\n`,
      statementTable('singleMutationsAlone'),
    ].join('');
    const file = writeResults('writes.md', 'Write throughput: recordEvents (set-based) vs the per-event path vs single mutations vs raw UNWIND', 'npm run bench:writes', env.machine, body);
    process.stdout.write(`\n${table(header, rows)}\n\nwritten to ${file}\n`);
  } finally {
    await alone?.close();
    await twoGroups?.close();
    await relay.stop();
    await env.close();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
