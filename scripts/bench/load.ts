import { ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import { loadSyntheticGraph } from '../../graph/bulkLoad';
import { applyMigrations } from '../../graph/migrations';
import { connectGraph } from '../../graph/neo4j';
import { generateSyntheticGraph, seededRandom, SyntheticGraph } from '../../graph/synthetic';
import { freePort } from '../local/processes';
import { scratchServices } from '../local/scratch';
import { describeMachine, graphqlPoster, percentile, RequestError, ROOT, say, table, timeIt, writeResults } from './common';

// `npm run bench:load`: a mixed load of concurrent clients (customer reads with nested lists, degrees of
// separation, influencer reach, recordEvents batches) against the API running in its own process, so that
// its memory is measured alone. Reports requests per second and p50/p99 per operation, and the API's RSS.
// Fails (exit 1) when any request errored.
//
//   npm run bench:load -- [--clients 8] [--duration 60] [--warmup 5] [--customers 20000] [--batch 50] [--seed 20261129]
//                         [--note "what else ran on the machine"]   (printed in the results file)

const { values: flags } = parseArgs({
  options: {
    clients: { type: 'string', default: '8' },
    duration: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '5' },
    customers: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '50' },
    seed: { type: 'string', default: '20261129' },
    note: { type: 'string', default: '' },
  },
});
const CLIENTS = Number(flags.clients);
const DURATION_S = Number(flags.duration);
const WARMUP_S = Number(flags.warmup);
const CUSTOMERS = Number(flags.customers);
const BATCH_EVENTS = Math.max(5, Math.round(Number(flags.batch) / 5) * 5); // whole units of 5 events
const SEED = Number(flags.seed);
const RSS_GOAL_MB = 300;
const RSS_SAMPLE_MS = 250;
const NEO4J_HEAP = '4g';
const PAGE_CACHE_MB = 2048;
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

const OPERATIONS = ['customer', 'degreesOfSeparation', 'influencerReach', 'recordEvents'] as const;
type Operation = (typeof OPERATIONS)[number];
/** Percent of requests per operation: mostly reads, a fifth writes. */
const MIX: Record<Operation, number> = { customer: 40, degreesOfSeparation: 25, influencerReach: 15, recordEvents: 20 };

const CUSTOMER_QUERY = `query($id: ID!) { customer(id: $id) { id name stage signedUpAt
  connections(first: 10) { totalCount edges { strength node { id name stage } } }
  referrals(first: 10) { totalCount edges { node { status invitedAt invitee { id stage } } } } } }`;
const SEPARATION_QUERY = 'query($from: ID!, $to: ID!) { degreesOfSeparation(from: $from, to: $to) { degrees path { id } } }';
const REACH_QUERY = `query($id: ID!) { influencerReach(customerId: $id) { directReferrals downstreamCustomers downstreamConverted
  generations { generation customers converted } socialReach { hops customers } } }`;
const EVENTS_MUTATION = 'mutation($events: [EventInput!]!) { recordEvents(events: $events) { index kind replayed } }';

/**
 * The seeded graph under its own id prefix, so that it lives beside other data in a shared database;
 * the prefix names seed and size, so a re-run against the same database finds it already loaded.
 */
function prefixed(data: SyntheticGraph, prefix: string): SyntheticGraph {
  const p = (id: string) => `${prefix}${id}`;
  return {
    campaigns: data.campaigns.map((c) => ({ ...c, id: p(c.id) })),
    products: data.products.map((x) => ({ ...x, id: p(x.id) })),
    customers: data.customers.map((c) => ({ ...c, id: p(c.id) })),
    knows: data.knows.map(([a, b, strength]) => [p(a), p(b), strength]),
    referrals: data.referrals.map((r) => ({ ...r, referrerId: p(r.referrerId), inviteeId: p(r.inviteeId), campaign: p(r.campaign) })),
    purchases: data.purchases.map((x) => ({ ...x, customerId: p(x.customerId), productId: p(x.productId), orderId: p(x.orderId) })),
    reviews: data.reviews.map((x) => ({ ...x, customerId: p(x.customerId), productId: p(x.productId) })),
  };
}

/** The API as `npm start` runs it (tsx in the node process itself, no wrapper), on a free loopback port. */
async function startApi(env: Record<string, string>): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'start.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  process.on('exit', () => child.kill('SIGKILL'));
  const deadline = Date.now() + 120_000;
  while (!output.includes('Grapevine is up')) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode} before it was up:\n${output}`);
    if (Date.now() > deadline) throw new Error(`the API was not up after 120 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, port, output: () => output };
}

async function stopApi(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** VmRSS and VmHWM (the kernel's peak RSS) of a process, in MiB. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSecondsOf(pid: number): number {
  // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

interface Tally {
  latencies: number[];
  requests: number;
  errors: number;
}

async function main() {
  for (const [name, value] of Object.entries({ clients: CLIENTS, duration: DURATION_S, customers: CUSTOMERS, seed: SEED })) {
    if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number`);
  }
  if (!Number.isFinite(WARMUP_S) || WARMUP_S < 0) throw new Error('--warmup must be 0 or more seconds');

  const services = await scratchServices(path.join(ROOT, '.test-data', `bench-load-${process.pid}`), { heap: NEO4J_HEAP, pageCacheMb: PAGE_CACHE_MB, say });
  const graph = connectGraph({ uri: services.neo4jUri, user: process.env.NEO4J_USER ?? 'neo4j', password: process.env.NEO4J_PASSWORD ?? '' });
  const redis = new Redis(services.redisUrl);
  let api: Awaited<ReturnType<typeof startApi>> | undefined;
  let failed = false;
  try {
    await applyMigrations(graph);
    const machine = [
      await describeMachine(graph, NEO4J_HEAP, PAGE_CACHE_MB),
      `Redis ${/redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown'}`,
    ].join('; ');

    const prefix = `load-s${SEED}-n${CUSTOMERS}-`;
    say(`generating and loading ${CUSTOMERS} synthetic customers (seed ${SEED}, ids ${prefix}…)…`);
    const data = prefixed(generateSyntheticGraph(CUSTOMERS, SEED), prefix);
    const loaded = await timeIt(() => loadSyntheticGraph(graph, data, undefined, 5000));
    say(`loaded in ${(loaded.ms / 1000).toFixed(1)} s: ${data.knows.length} KNOWS, ${data.referrals.length} REFERRED, ${data.purchases.length} purchases`);
    const customerIds = data.customers.map((c) => c.id);
    const productIds = data.products.map((p) => p.id);

    const key = crypto.randomBytes(24).toString('base64url');
    api = await startApi({
      NEO4J_URI: services.neo4jUri,
      REDIS_URL: services.redisUrl,
      API_KEYS: `${key}:admin`,
      DEMO_DATA: 'off',
      RATE_LIMIT_PER_MINUTE: '100000000',
      LOG_LEVEL: 'warn',
    });
    const apiPid = api.child.pid!;
    say(`API up in its own process (pid ${apiPid}) on port ${api.port}, RSS ${memoryOf(apiPid).rss.toFixed(0)} MiB`);
    const idleRss = memoryOf(apiPid).rss;

    const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
    const post = graphqlPoster(api.port, key, agent);
    const run = `load-${crypto.randomBytes(4).toString('hex')}-`; // what the writes create is new on every run
    let batchNumber = 0;

    /** `BATCH_EVENTS` events in units of five: a new customer, who follows two seeded customers and buys twice. */
    const eventBatch = (random: () => number) => {
      const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
      const batch = batchNumber++;
      const at = new Date(Date.UTC(2026, 10, 1) + batch * 1000).toISOString();
      return Array.from({ length: BATCH_EVENTS / 5 }, (_, u) => {
        const id = `${run}${batch}-${u}`;
        const keyOf = (n: number) => `${id}-${n}`;
        return [
          { upsertCustomer: { id, name: `Load ${batch}.${u}` } },
          { follow: { followerId: id, followedId: pick(customerIds), at, idempotencyKey: keyOf(1) } },
          { follow: { followerId: id, followedId: pick(customerIds), at, idempotencyKey: keyOf(2) } },
          { recordPurchase: { customerId: id, productId: pick(productIds), orderId: `${id}-o1`, amount: 10 + Math.floor(random() * 9000) / 100, currency: 'EUR', at, idempotencyKey: keyOf(3) } },
          { recordPurchase: { customerId: id, productId: pick(productIds), orderId: `${id}-o2`, amount: 10 + Math.floor(random() * 9000) / 100, currency: 'EUR', at, idempotencyKey: keyOf(4) } },
        ];
      }).flat();
    };

    const requestFor: Record<Operation, (random: () => number) => [string, Record<string, unknown>]> = {
      customer: (random) => [CUSTOMER_QUERY, { id: customerIds[Math.floor(random() * customerIds.length)] }],
      degreesOfSeparation: (random) => [SEPARATION_QUERY, { from: customerIds[Math.floor(random() * customerIds.length)], to: customerIds[Math.floor(random() * customerIds.length)] }],
      influencerReach: (random) => [REACH_QUERY, { id: customerIds[Math.floor(random() * customerIds.length)] }],
      recordEvents: (random) => [EVENTS_MUTATION, { events: eventBatch(random) }],
    };
    const cumulative = OPERATIONS.map((op, i) => [op, OPERATIONS.slice(0, i + 1).reduce((sum, o) => sum + MIX[o], 0)] as const);
    const total = cumulative[cumulative.length - 1][1];
    const chooseOperation = (random: () => number): Operation => {
      const roll = random() * total;
      return cumulative.find(([, upTo]) => roll < upTo)![0];
    };

    const tally = (): Tally => ({ latencies: [], requests: 0, errors: 0 });
    const tallies: Record<Operation, Tally> = { customer: tally(), degreesOfSeparation: tally(), influencerReach: tally(), recordEvents: tally() };
    const firstErrors: string[] = [];
    const rssSamples: Array<{ at: number; rss: number }> = [];
    const started = Date.now();
    const loadAtStart = os.loadavg()[0];
    const measureFrom = started + WARMUP_S * 1000;
    const stopAt = measureFrom + DURATION_S * 1000;
    let cpuAtMeasureFrom: number | undefined;
    const cpuMark = setTimeout(() => (cpuAtMeasureFrom = cpuSecondsOf(apiPid)), measureFrom - Date.now());
    const sampler = setInterval(() => {
      try {
        rssSamples.push({ at: Date.now() - measureFrom, rss: memoryOf(apiPid).rss });
      } catch {
        // the process is gone: the requests will say why
      }
    }, RSS_SAMPLE_MS);

    say(`${CLIENTS} clients, ${WARMUP_S} s warm-up then ${DURATION_S} s measured; mix ${OPERATIONS.map((op) => `${op} ${MIX[op]}%`).join(', ')}; recordEvents batches of ${BATCH_EVENTS}`);
    const client = async (index: number) => {
      const random = seededRandom(SEED * 31 + index);
      while (Date.now() < stopAt) {
        const op = chooseOperation(random);
        const [query, variables] = requestFor[op](random);
        const t0 = process.hrtime.bigint();
        const measured = Date.now() >= measureFrom;
        try {
          await post(query, variables);
          if (measured) {
            tallies[op].latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
            tallies[op].requests++;
          }
        } catch (error) {
          tallies[op].errors++;
          if (firstErrors.length < 10) firstErrors.push(`${op}: ${(error as Error).message}`);
          if (!(error instanceof RequestError)) await new Promise((resolve) => setTimeout(resolve, 100)); // a dead socket: do not spin
        }
      }
    };
    const progress = setInterval(() => {
      const done = OPERATIONS.reduce((sum, op) => sum + tallies[op].requests, 0);
      const errors = OPERATIONS.reduce((sum, op) => sum + tallies[op].errors, 0);
      say(`  ${((Date.now() - started) / 1000).toFixed(0)} s: ${done} measured requests, ${errors} errors, API RSS ${rssSamples.at(-1)?.rss.toFixed(0) ?? '?'} MiB`);
    }, 10_000);
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
    const measuredSeconds = (Date.now() - measureFrom) / 1000;
    clearInterval(progress);
    clearInterval(sampler);
    clearTimeout(cpuMark);
    // The kernel updates VmHWM lazily, so a sample can sit a little above it: the peak is the larger of the two.
    const peak = Math.max(memoryOf(apiPid).hwm, ...rssSamples.map((sample) => sample.rss));
    const apiCpuShare = cpuAtMeasureFrom === undefined ? Number.NaN : (cpuSecondsOf(apiPid) - cpuAtMeasureFrom) / measuredSeconds;
    agent.destroy();

    // Results.
    const ms = (values: number[], p: number) => (values.length ? percentile(values, p).toFixed(1) : '—');
    const allLatencies = OPERATIONS.flatMap((op) => tallies[op].latencies);
    const totalRequests = allLatencies.length;
    const totalErrors = OPERATIONS.reduce((sum, op) => sum + tallies[op].errors, 0);
    const header = ['operation', 'share of mix', 'requests', 'errors', 'req/s', 'p50 ms', 'p99 ms'];
    const rows: Array<Array<string | number>> = OPERATIONS.map((op) => [
      op, `${MIX[op]}%`, tallies[op].requests, tallies[op].errors, (tallies[op].requests / measuredSeconds).toFixed(1), ms(tallies[op].latencies, 50), ms(tallies[op].latencies, 99),
    ]);
    rows.push(['**all**', '100%', totalRequests, totalErrors, (totalRequests / measuredSeconds).toFixed(1), ms(allLatencies, 50), ms(allLatencies, 99)]);
    const loadRss = rssSamples.filter((s) => s.at >= 0).map((s) => s.rss);
    const timeline = Array.from({ length: Math.ceil(measuredSeconds / 10) }, (_, i) => {
      const window = rssSamples.filter((s) => s.at >= i * 10_000 && s.at < (i + 1) * 10_000).map((s) => s.rss);
      return window.length ? `${i * 10}–${i * 10 + 10} s: ${Math.max(...window).toFixed(0)}` : '';
    }).filter(Boolean);
    const memoryRows: Array<Array<string | number>> = [
      ['idle after start-up (before load)', idleRss.toFixed(0)],
      [`during measured load, p50 of ${loadRss.length} samples every ${RSS_SAMPLE_MS} ms`, ms(loadRss, 50)],
      ['during measured load, max sample', loadRss.length ? Math.max(...loadRss).toFixed(0) : '—'],
      ['peak over the process life (VmHWM, or the largest sample if above it)', peak.toFixed(0)],
    ];
    const cpuLine = `API process CPU during the measured load: ${(apiCpuShare * 100).toFixed(0)}% of one core (Node runs JavaScript on one thread); `
      + `machine load average (1 min) ${loadAtStart.toFixed(1)} when the load began, ${os.loadavg()[0].toFixed(1)} when it ended, on ${os.cpus().length} cores.`;
    const peakMb = (peak * 2 ** 20) / 1e6;
    const verdict = `${peakMb <= RSS_GOAL_MB ? 'met' : '**not met**'}: peak ${peak.toFixed(0)} MiB = ${peakMb.toFixed(0)} MB against a goal of ${RSS_GOAL_MB} MB`;
    const requestTable = table(header, rows);
    const memoryTable = table(['API resident memory', 'MiB'], memoryRows);

    process.stdout.write(`\n${requestTable}\n\n${memoryTable}\n\nRSS max per 10 s: ${timeline.join(', ')}\nRSS goal ${verdict}\n${cpuLine}\n`);
    const body = [
      `The API runs in its own process, started as \`npm start\` runs it (\`node --import tsx scripts/start.ts\`) with \`DEMO_DATA=off\`, \`LOG_LEVEL=warn\`, one admin API key and the rate limit lifted, `,
      `against ${process.env.NEO4J_URI ? 'the Neo4j and Redis given by NEO4J_URI and REDIS_URL' : 'throwaway local Neo4j and Redis'}. `,
      `Its resident memory is read from /proc/<pid>/status (VmRSS) every ${RSS_SAMPLE_MS} ms, and VmHWM (the kernel's peak) at the end.\n\n`,
      `Graph: \`generateSyntheticGraph(${CUSTOMERS}, ${SEED})\` loaded with \`loadSyntheticGraph\` under the id prefix \`${prefix}\` `,
      `(${data.customers.length.toLocaleString('en')} customers, ${data.knows.length.toLocaleString('en')} KNOWS, ${data.referrals.length.toLocaleString('en')} REFERRED, ${data.purchases.length.toLocaleString('en')} purchases).\n\n`,
      `Load: ${CLIENTS} clients over keep-alive HTTP on loopback, each sending its next request when the last one answered, for ${WARMUP_S} s of warm-up (not counted) then ${DURATION_S} s measured `,
      `(${measuredSeconds.toFixed(1)} s until the last answer). Each client draws operations from its own seeded generator (seed ${SEED}) in the mix below:\n\n`,
      `- \`customer(id)\` with \`connections(first: 10)\` and \`referrals(first: 10)\` (each with their nodes) for a random seeded customer;\n`,
      `- \`degreesOfSeparation(from, to)\` (defaults: KNOWS and REFERRED, maxHops 6) between two random seeded customers;\n`,
      `- \`influencerReach(customerId)\` (maxDepth 3) of a random seeded customer;\n`,
      `- \`recordEvents\` with ${BATCH_EVENTS} events: per new customer, an upsert, two follows of seeded customers and two purchases with new order ids, each with its own idempotency key.\n\n`,
      `The analytics cache is live, as in production: every write batch moves the graph version, so reads after it compute again.\n\n`,
      flags.note ? `**Note:** ${flags.note}\n\n` : '',
      `## Requests\n\n${requestTable}\n\n${cpuLine}\n\n`,
      `## API memory\n\n${memoryTable}\n\nRSS max per 10 s of the measured load (MiB): ${timeline.join(', ')}.\n\nGoal of ≤ ${RSS_GOAL_MB} MB peak RSS ${verdict}.\n`,
      totalErrors ? `\n## Errors\n\n${totalErrors} requests failed; the first:\n\n\`\`\`\n${firstErrors.join('\n')}\n\`\`\`\n` : '',
    ].join('');
    const file = writeResults('load.md', `Mixed load: ${CLIENTS} clients for ${DURATION_S} s`, 'npm run bench:load', machine, body);
    process.stdout.write(`\nwritten to ${file}\n`);
    if (totalErrors > 0) {
      failed = true;
      process.stderr.write(`\n${totalErrors} requests failed; the first:\n${firstErrors.join('\n')}\n`);
    }
  } finally {
    if (api) await stopApi(api.child);
    redis.disconnect();
    await graph.close();
    await services.stop();
  }
  if (failed) process.exit(1);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
