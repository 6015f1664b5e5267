import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import { computeBridges } from '../../graph/analytics/bridges';
import { referralChain } from '../../graph/analytics/chain';
import { ALL_KINDS, computeCommunities } from '../../graph/analytics/communities';
import { computeEngagement } from '../../graph/analytics/engagement';
import { communitySettings } from '../../server/communitySettings';
import { loadConfig } from '../../server/config';
import { referralConversion } from '../../graph/analytics/conversion';
import { advocateRanking } from '../../graph/analytics/advocates';
import { fraudRings } from '../../graph/analytics/fraudRings';
import { influencerReach, topInfluencers } from '../../graph/analytics/influence';
import { inviteSuggestions } from '../../graph/analytics/inviteSuggestions';
import { seedPlan } from '../../graph/analytics/seeding';
import { ratingFor, reviewsFor } from '../../graph/analytics/trustedReviews';
import { degreesOfSeparation, separationProfile, separationQuery } from '../../graph/analytics/separation';
import { relationshipTypes } from '../../graph/analytics/kinds';
import { degreesOfSeparationMany, separationManyQuery } from '../../graph/analytics/separationMany';
import { churnRisks } from '../../graph/analytics/churn';
import { purchaseBehaviour } from '../../graph/analytics/purchaseBehaviour';
import { customerSegments, segmentPageRequest, segmentTable, tableContext } from '../../graph/analytics/segments';
import { customerValue, ValueContext, valueCutoffs } from '../../graph/analytics/value';
import { SYNTHETIC_HISTORY_END } from '../../graph/syntheticHistories';
import { parseMoney, parseValueRules } from '../../graph/valueRules';
import { DAY_MS } from '../../graph/model';
import { loadSyntheticGraph } from '../../graph/bulkLoad';
import { importEdgeList, parseEdgeList } from '../../graph/edgeList';
import { generateSyntheticGraph, LAUNCH_CAMPAIGN_ID, seededRandom, SyntheticGraph } from '../../graph/synthetic';
import { launchReport } from '../../graph/analytics/launch';
import { waitlistPosition } from '../../graph/waitlist';
import { admitWave } from '../../graph/waves';
import { BenchEnv, percentile, RESULTS_DIR, ROOT, say, startBenchEnv, table, timeIt, writeResults } from './common';
import { profileOf, profileReport, summarizeCpuProfile } from './cpuProfile';
import { GRAPH_VERSION_KEY } from '../../server/cache/analyticsCache';
import { cypher } from '../../graph/neo4j';
import { planSection, profilePlans, profileSeparationStages, SEPARATION_DOCUMENT, stageTable } from './apiOverhead';
import { benchSnapshotRows } from './snapshotRows';

// The query degreesOfSeparationMany ran before (one APOC breadth-first search from the source, stopping once every
// target is reached), kept here to measure the current one against it on each run.
const APOC_SEPARATION_MANY = cypher<{ paths: string[][] }>(
  'bench.degreesOfSeparationManyApoc',
  `MATCH (start:Customer {id: $from})
   OPTIONAL MATCH (target:Customer) WHERE target.id IN $to AND target <> start
   WITH start, collect(target) AS targets
   CALL (start, targets) {
     WITH start, targets WHERE size(targets) > 0
     CALL apoc.path.expandConfig(start, {relationshipFilter: $types, minLevel: 1, maxLevel: $maxHops, bfs: true,
                                         uniqueness: 'NODE_GLOBAL', endNodes: targets, limit: size(targets)})
     YIELD path
     RETURN collect([n IN nodes(path) | n.id]) AS paths
   }
   RETURN paths`,
);

const SEPARATION_MANY_DOCUMENT = 'query($f: ID!, $t: [ID!]!) { degreesOfSeparationMany(from: $f, to: $t) { degrees path { id } } }';

// `npm run bench:analytics`: latency (p50, p99) and throughput of each analytics query through the
// GraphQL API, the same Cypher through the driver, and an in-memory BFS as the lower bound, on
// ego-Facebook and on a seeded synthetic network (1,000,000 customers unless --synthetic or BENCH_SYNTHETIC_SIZE says).
//
//   --synthetic N        customers in the synthetic network (0: none)
//   --skip-ego           leave ego-Facebook out
//   --skip-launch        generate the synthetic network without its invite-only waitlist campaign (graph/synthetic.ts
//                        `launch`), and leave out the launch rows (waitlistPosition, admitWave, launchReport)
//   --marketer-rows-only only the marketer, customer-value and launch rows (the whole-graph GDS rows take most of an
//                        hour at 1M); writes analytics-marketers.md
//   --snapshot-rows-only only topInfluencers and referralConversion as a marketer meets them: the first request, then
//                        requests right after writes, served from the snapshot with its age (scripts/bench/snapshotRows.ts);
//                        writes analytics-snapshots.md
//   --launch-rows-only   only the launch rows (waitlistPosition, admitWave, launchReport); writes analytics-launch.md
//   --separation-only    only degreesOfSeparation (and its one-to-many form), with a profile of one call through
//                        the API; writes api-overhead.md instead of analytics.md, loads only the customers, KNOWS
//                        and REFERRED of the synthetic network and removes them afterwards (unless --keep-data).
//                        The API runs in a process of its own (scripts/bench/apiProcess.ts), as in production, unless
//                        --in-process; api-overhead.md keeps its hand-written section (from HAND_WRITTEN on) when rewritten
//   --api-cpu-profile    with --separation-only: no timings, but a V8 CPU profile of the API process over
//                        PROFILE_CALLS degreesOfSeparation calls (4 callers) per dataset; writes api-cpu-profile.md

const { values: flags } = parseArgs({
  options: {
    synthetic: { type: 'string' },
    'skip-ego': { type: 'boolean', default: false },
    'skip-launch': { type: 'boolean', default: false },
    'separation-only': { type: 'boolean', default: false },
    'keep-data': { type: 'boolean', default: false },
    'marketer-rows-only': { type: 'boolean', default: false },
    'snapshot-rows-only': { type: 'boolean', default: false },
    'launch-rows-only': { type: 'boolean', default: false },
    'in-process': { type: 'boolean', default: false },
    'api-cpu-profile': { type: 'boolean', default: false },
  },
});
const EGO_FACEBOOK = process.env.BENCH_EDGES ?? `${__dirname}/../../../shared/datasets/ego-facebook.edges`;
const SYNTHETIC_SIZE = Number(flags.synthetic ?? process.env.BENCH_SYNTHETIC_SIZE ?? 1_000_000);
const API_CPU_PROFILE = flags['api-cpu-profile'];
const SEPARATION_ONLY = flags['separation-only'] || API_CPU_PROFILE;
const API_PROCESS = SEPARATION_ONLY && !flags['in-process'];
const PROFILE_CALLS = 2000;
/** Where the hand-written part of api-overhead.md begins; a run keeps it. */
const HAND_WRITTEN = '## Before and after (hand-written';
/** Synthetic ids carry a prefix so that the network cannot meet other data in a shared database. */
const SYNTHETIC_PREFIX = `syn${SYNTHETIC_SIZE}-`;
const SEED = 20261128;
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const THROUGHPUT_CONCURRENCY = 4;

/** Compressed adjacency (CSR) over integer ids: the in-memory lower bound's graph. */
class MemoryGraph {
  readonly index = new Map<string, number>();
  offsets!: Int32Array;
  targets!: Int32Array;

  constructor(edges: Iterable<[string, string]>) {
    const pairs: number[] = [];
    const id = (key: string) => {
      let value = this.index.get(key);
      if (value === undefined) this.index.set(key, (value = this.index.size));
      return value;
    };
    for (const [a, b] of edges) pairs.push(id(a), id(b));
    const n = this.index.size;
    const degree = new Int32Array(n + 1);
    for (let i = 0; i < pairs.length; i += 2) {
      degree[pairs[i]]++;
      degree[pairs[i + 1]]++;
    }
    this.offsets = new Int32Array(n + 1);
    for (let v = 0; v < n; v++) this.offsets[v + 1] = this.offsets[v] + degree[v];
    const fill = this.offsets.slice(0, n);
    this.targets = new Int32Array(this.offsets[n]);
    for (let i = 0; i < pairs.length; i += 2) {
      this.targets[fill[pairs[i]]++] = pairs[i + 1];
      this.targets[fill[pairs[i + 1]]++] = pairs[i];
    }
  }

  /** Layer sizes of a breadth-first search out to maxHops: separationProfile's lower bound. */
  layers(from: string, maxHops: number): number[] {
    const seen = new Uint8Array(this.index.size);
    let frontier = [this.index.get(from)!];
    seen[frontier[0]] = 1;
    const layers: number[] = [];
    for (let hops = 1; hops <= maxHops && frontier.length > 0; hops++) {
      const next: number[] = [];
      for (const v of frontier) {
        for (let e = this.offsets[v]; e < this.offsets[v + 1]; e++) {
          const w = this.targets[e];
          if (!seen[w]) {
            seen[w] = 1;
            next.push(w);
          }
        }
      }
      layers.push(next.length);
      frontier = next;
    }
    return layers;
  }

  /** Bidirectional breadth-first search, growing the smaller side first: degreesOfSeparation's lower bound. */
  distance(from: string, to: string, maxHops: number): number {
    const source = this.index.get(from)!;
    const target = this.index.get(to)!;
    if (source === target) return 0;
    const side = new Int8Array(this.index.size); // 1: reached from source, 2: from target
    const depth = new Int32Array(this.index.size);
    side[source] = 1;
    side[target] = 2;
    let frontiers: [number[], number[]] = [[source], [target]];
    const depths = [0, 0];
    while (frontiers[0].length > 0 && frontiers[1].length > 0 && depths[0] + depths[1] < maxHops) {
      const s = frontiers[0].length <= frontiers[1].length ? 0 : 1;
      const mark = s + 1;
      depths[s]++;
      const next: number[] = [];
      let best = -1;
      for (const v of frontiers[s]) {
        for (let e = this.offsets[v]; e < this.offsets[v + 1]; e++) {
          const w = this.targets[e];
          if (side[w] === mark) continue;
          if (side[w] !== 0) {
            // Meetings within one level can differ in the other side's depth: keep the shortest.
            if (best === -1 || depths[s] + depth[w] < best) best = depths[s] + depth[w];
            continue;
          }
          side[w] = mark;
          depth[w] = depths[s];
          next.push(w);
        }
      }
      if (best !== -1) return best;
      frontiers[s] = next;
    }
    return -1;
  }
}

interface Sample {
  query: string;
  api: number[];
  driver: number[];
  memory: number[];
  apiThroughput?: number;
  driverThroughput?: number;
}

async function throughput(count: number, run: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const { ms } = await timeIt(() =>
    Promise.all(Array.from({ length: THROUGHPUT_CONCURRENCY }, async () => {
      while (next < count) await run(next++);
    })),
  );
  return (count / ms) * 1000;
}

async function measure(
  redis: Redis,
  query: string,
  count: number,
  api: (i: number) => Promise<unknown>,
  driver: (i: number) => Promise<unknown>,
  memory?: (i: number) => unknown,
  withThroughput = false,
): Promise<Sample> {
  const sample: Sample = { query, api: [], driver: [], memory: [] };
  const runs = Math.max(1, Math.round(count * SCALE));
  // A cache hit would measure Redis, not the query: move the cache to a new graph version before each API call.
  const cold = () => redis.incr(GRAPH_VERSION_KEY);
  // The second call with the same arguments finds what the first read in Neo4j's page cache (on a large graph, a cold
  // search costs several times a warm one), so the API and the driver take turns at going first.
  for (let i = 0; i < runs; i++) {
    await cold();
    const apiFirst = i % 2 === 0;
    if (!apiFirst) sample.driver.push((await timeIt(() => driver(i))).ms);
    sample.api.push((await timeIt(() => api(i))).ms);
    if (apiFirst) sample.driver.push((await timeIt(() => driver(i))).ms);
    if (memory) sample.memory.push((await timeIt(async () => memory(i))).ms);
  }
  if (withThroughput) {
    // One version move per run: its calls ask for arguments not asked before, so none is a cache hit. Two runs over
    // fresh arguments, the API first in one and the driver first in the other; each side's rate is the mean of its two.
    await cold();
    const apiFirst = await throughput(runs, (i) => api(i + runs));
    const driverSecond = await throughput(runs, (i) => driver(i + runs));
    await cold();
    const driverFirst = await throughput(runs, (i) => driver(i + 2 * runs));
    const apiSecond = await throughput(runs, (i) => api(i + 2 * runs));
    sample.apiThroughput = (apiFirst + apiSecond) / 2;
    sample.driverThroughput = (driverFirst + driverSecond) / 2;
  }
  say(`${query}: api p50 ${percentile(sample.api, 50).toFixed(1)} ms, driver p50 ${percentile(sample.driver, 50).toFixed(1)} ms`);
  return sample;
}

async function benchDataset(env: BenchEnv, redis: Redis, ids: string[], memoryGraph: MemoryGraph, small: boolean): Promise<Sample[]> {
  const random = seededRandom(SEED);
  const pick = () => ids[Math.floor(random() * ids.length)];
  const pairs = Array.from({ length: 2000 }, () => [pick(), pick()] as const);
  const singles = Array.from({ length: 2000 }, pick);
  const via = ['KNOWS', 'REFERRED'] as const;
  const samples: Sample[] = [];
  if (flags['snapshot-rows-only'] || flags['launch-rows-only']) return [];
  if (flags['marketer-rows-only']) return [...(await benchMarketers(env, redis, singles, small)), ...(await benchValue(env, redis, singles, small))];
  samples.push(await measure(redis, 'degreesOfSeparation (maxHops 6)', small ? 100 : 50,
    (i) => env.gql('query($f: ID!, $t: ID!) { degreesOfSeparation(from: $f, to: $t) { degrees path { id } } }', { f: pairs[i][0], t: pairs[i][1] }),
    (i) => degreesOfSeparation(env.graph, pairs[i][0], pairs[i][1], [...via], 6),
    (i) => memoryGraph.distance(pairs[i][0], pairs[i][1], 6), true));
  samples.push(await measure(redis, 'separationProfile (maxHops 3)', small ? 50 : 20,
    (i) => env.gql('query($c: ID!) { separationProfile(customerId: $c) { hops customers } }', { c: singles[i] }),
    (i) => separationProfile(env.graph, singles[i], [...via], 3),
    (i) => memoryGraph.layers(singles[i], 3), true));
  samples.push(await measure(redis, 'influencerReach (maxDepth 3)', small ? 30 : 20,
    (i) => env.gql('query($c: ID!) { influencerReach(customerId: $c) { downstreamCustomers generations { generation customers } socialReach { hops customers } } }', { c: singles[i] }),
    (i) => influencerReach(env.graph, singles[i], 3)));
  samples.push(await measure(redis, 'referralChain (maxDepth 10)', small ? 50 : 30,
    (i) => env.gql('query($c: ID!) { referralChain(customerId: $c) { upward { id } downward { depth } truncated } }', { c: singles[i] }),
    (i) => referralChain(env.graph, singles[i], 10)));
  samples.push(await measure(redis, 'referralConversion (all campaigns)', small ? 10 : 3,
    () => env.gql('{ referralConversion { overall { referrals kFactor } byGeneration { generation } } }'),
    () => referralConversion(env.graph, null)));
  // The API answer is a snapshot (a Redis read after the first); the driver column is the background computation.
  samples.push(await measure(redis, 'fraudRings (whole graph)', small ? 3 : 1,
    () => env.gql('{ fraudRings(minSize: 2) { rings { size score } } }'),
    () => fraudRings(env.graph)));
  for (const by of ['REFERRAL_REACH', 'CONVERSIONS', 'PAGERANK', 'SOCIAL_REACH'] as const) {
    samples.push(await measure(redis, `topInfluencers(by: ${by})`, small ? 3 : 1,
      () => env.gql('query($by: InfluenceMeasure!) { topInfluencers(by: $by) { rank score } }', { by }),
      () => topInfluencers(env.graph, by, null, 20)));
  }
  // Community answers: the API serves the snapshot (computed on the first call); the driver column is the
  // background computation itself. Communities write slot 1, leaving slot 0 to the snapshot the API serves.
  const settings = communitySettings(loadConfig({ ...process.env }));
  for (const algorithm of ['LEIDEN', 'LOUVAIN', 'WCC'] as const) {
    samples.push(await measure(redis, `communities(algorithm: ${algorithm})`, small ? 3 : 1,
      () => env.gql('query($a: CommunityAlgorithm!) { communities(algorithm: $a) { communityCount communities { id size density conversion { kFactor } neighbours { communityId } } } }', { a: algorithm }),
      () => computeCommunities(env.graph, algorithm, ALL_KINDS, 0)));
  }
  samples.push(await measure(redis, `bridges (exact up to ${settings.bridgeSampling.exactMaxCustomers} customers, else ${settings.bridgeSampling.samplingSize} sampled)`, small ? 3 : 1,
    () => env.gql('{ bridges { samplingSize entries { betweenness customer { id } joins { communityId } } } }'),
    () => computeBridges(env.graph, settings.bridgeSampling)));
  samples.push(await measure(redis, 'engagementLevels', small ? 3 : 1,
    () => env.gql('{ engagementLevels { levels { level customers } transitions { from to customers } } }'),
    () => computeEngagement(env.graph, settings.engagement)));
  samples.push(...(await benchMarketers(env, redis, singles, small)));
  samples.push(...(await benchValue(env, redis, singles, small)));
  return samples;
}

const REVIEWED_PRODUCTS = cypher<{ id: string }>('bench.reviewedProducts', 'MATCH (p:Product) WHERE EXISTS { ()-[:REVIEWED]->(p) } RETURN p.id AS id ORDER BY p.id LIMIT 50');
const ALL_ADVOCATES = { campaignId: null, minRecommend: null, stage: null, untapped: false };

/**
 * The marketer queries (issue 10). The whole-graph ones (advocates, untappedAdvocates, seedAdvocates) are served
 * from snapshots through the API, so their API column is the snapshot read after the first call, and their
 * driver column the background computation; the per-customer ones compute on every call.
 */
async function benchMarketers(env: BenchEnv, redis: Redis, singles: string[], small: boolean): Promise<Sample[]> {
  const samples: Sample[] = [];
  samples.push(await measure(redis, 'advocates (API: snapshot; driver: the ranking)', small ? 3 : 1,
    () => env.gql('{ advocates(filter: { limit: 20 }) { score customer { id } reachWithin2Hops } }'),
    () => advocateRanking(env.graph, ALL_ADVOCATES)));
  samples.push(await measure(redis, 'untappedAdvocates (API: snapshot; driver: the ranking)', small ? 3 : 1,
    () => env.gql('{ untappedAdvocates(limit: 20) { score customer { id } } }'),
    () => advocateRanking(env.graph, { ...ALL_ADVOCATES, untapped: true })));
  samples.push(await measure(redis, 'seedAdvocates(k: 20) (API: snapshot; driver: CELF over 200 candidates)', small ? 3 : 1,
    () => env.gql('{ seedAdvocates(k: 20) { totalReach naiveTotalReach picks { marginalReach } } }'),
    () => seedPlan(env.graph, null)));
  samples.push(await measure(redis, 'inviteSuggestions (limit 10)', small ? 30 : 20,
    (i) => env.gql('query($c: ID!) { inviteSuggestions(customerId: $c) { score sharedContactCount customer { id } } }', { c: singles[i] }),
    (i) => inviteSuggestions(env.graph, singles[i], 10)));
  const products = (await env.graph.read(REVIEWED_PRODUCTS)).map((row) => row.id);
  if (products.length > 0) {
    const product = (i: number) => products[i % products.length];
    samples.push(await measure(redis, 'Product.reviewsFor (first 20)', small ? 30 : 20,
      (i) => env.gql('query($p: ID!, $r: ID!) { product(id: $p) { reviewsFor(readerId: $r) { totalCount edges { distance } } } }', { p: product(i), r: singles[i] }),
      (i) => reviewsFor(env.graph, product(i), singles[i], 20, null)));
    samples.push(await measure(redis, 'Product.ratingFor', small ? 30 : 20,
      (i) => env.gql('query($p: ID!, $r: ID!) { product(id: $p) { ratingFor(readerId: $r) { trustWeightedAverage } } }', { p: product(i), r: singles[i] }),
      (i) => ratingFor(env.graph, product(i), singles[i], [])));
  }
  return samples;
}

const WAITLIST_POSITION_DOCUMENT =
  'query($c: ID!, $k: ID!) { waitlistPosition(customerId: $c, campaignId: $k) { status position waiting referralsToNextWave } }';
const ADMIT_WAVE_DOCUMENT = 'mutation($input: AdmitWaveInput!) { admitWave(input: $input) { wave { number size } } }';
const LAUNCH_REPORT_DOCUMENT = 'query($k: ID!) { launchReport(campaignId: $k) { waiting overall { members kFactor depth } waves { wave members } } }';

/** The invite-only waitlist campaign of the synthetic network: a waiting customer's place, a wave of 1,000, the report. */
async function benchLaunch(env: BenchEnv, redis: Redis, data: SyntheticGraph): Promise<Sample[]> {
  const campaignId = SYNTHETIC_PREFIX + LAUNCH_CAMPAIGN_ID;
  const random = seededRandom(SEED + 1);
  const waiting = data.memberships!.filter((m) => m.status === 'WAITING').map((m) => m.customerId);
  const singles = Array.from({ length: 1000 }, () => waiting[Math.floor(random() * waiting.length)]);
  const run = `${Date.now()}`;
  const samples: Sample[] = [];
  samples.push(await measure(redis, 'waitlistPosition (waiting customer)', 50,
    (i) => env.gql(WAITLIST_POSITION_DOCUMENT, { c: singles[i], k: campaignId }),
    (i) => waitlistPosition(env.graph, singles[i], campaignId), undefined, true));
  // Each call admits the next 1,000 (API and driver alternate); the keys are new on every run of the benchmark.
  samples.push(await measure(redis, 'admitWave (size 1,000)', 5,
    (i) => env.gql(ADMIT_WAVE_DOCUMENT, { input: { campaignId, size: 1000, idempotencyKey: `bench-${run}-api-${i}` } }),
    (i) => admitWave(env.graph, { campaignId, size: 1000, idempotencyKey: `bench-${run}-driver-${i}` })));
  samples.push(await measure(redis, 'launchReport', 2,
    () => env.gql(LAUNCH_REPORT_DOCUMENT, { k: campaignId }),
    () => launchReport(env.graph, campaignId)));
  return samples;
}

/**
 * Customer value, segments, churn and purchase behaviour, asked as of the end of the synthetic purchase histories.
 * The first row asks for a new day each time (cut-offs of an explicit asOf are those of its day's start), so its API figure includes computing the ABC and RFM cut-off snapshot
 * (the driver figure is that computation alone); the rows after it read the snapshot then made. The same for the
 * segment table behind customerSegments and churnRisks.
 */
async function benchValue(env: BenchEnv, redis: Redis, singles: string[], small: boolean): Promise<Sample[]> {
  const asOf = SYNTHETIC_HISTORY_END;
  const money = parseMoney(null);
  const rules = parseValueRules(null);
  const VALUE = 'query($c: ID!, $asOf: DateTime) { customerValue(customerId: $c, asOf: $asOf) { revenue tier lifecycle rfm { recency frequency monetary } } }';
  const samples: Sample[] = [];
  samples.push(await measure(redis, 'customerValue, new asOf (cut-off snapshot computed)', small ? 3 : 2,
    (i) => env.gql(VALUE, { c: singles[i], asOf: new Date(asOf - (i + 1) * DAY_MS).toISOString() }),
    (i) => valueCutoffs(env.graph, { asOf: asOf - (i + 1) * DAY_MS, money, abcA: rules.abcA, abcB: rules.abcB }, asOf)));
  const cutoffs = await valueCutoffs(env.graph, { asOf, money, abcA: rules.abcA, abcB: rules.abcB }, asOf);
  const context: ValueContext = { asOf, rules, money, cutoffs, cutoffsAsOf: Date.now() };
  const iso = new Date(asOf).toISOString();
  await env.gql(VALUE, { c: singles[0], asOf: iso });
  samples.push(await measure(redis, 'customerValue', small ? 50 : 30,
    (i) => env.gql(VALUE, { c: singles[i], asOf: iso }),
    (i) => customerValue(env.graph, singles[i], context)));
  const SEGMENTS = 'query($asOf: DateTime) { customerSegments(asOf: $asOf) { totalCount edges { node { customer { id } tier } } } }';
  samples.push(await measure(redis, 'customerSegments, new asOf (segment table snapshot computed)', small ? 3 : 2,
    (i) => env.gql(SEGMENTS, { asOf: new Date(asOf - (i + 1) * DAY_MS).toISOString() }),
    (i) => segmentTable(env.graph, { asOf: asOf - (i + 1) * DAY_MS, money, rules }, asOf)));
  const table = await segmentTable(env.graph, { asOf, money, rules }, asOf);
  const fromTable = tableContext(table, rules, money);
  await env.gql(SEGMENTS, { asOf: iso });
  samples.push(await measure(redis, 'customerSegments (first 20)', small ? 20 : 10,
    () => env.gql(SEGMENTS, { asOf: iso }),
    () => customerSegments(env.graph, table, { tier: null, lifecycle: null, campaignId: null }, segmentPageRequest(20, null), fromTable)));
  samples.push(await measure(redis, 'churnRisks (top 20)', small ? 20 : 10,
    () => env.gql('query($asOf: DateTime) { churnRisks(asOf: $asOf) { valueAtRisk contagionShare winBackRoute { id } } }', { asOf: iso }),
    () => churnRisks(env.graph, table, { tier: null, limit: 20, campaignId: null }, fromTable)));
  samples.push(await measure(redis, 'purchaseBehaviour', small ? 3 : 1,
    () => env.gql('query($asOf: DateTime) { purchaseBehaviour(asOf: $asOf) { overall { repeatPurchaseRate } referred { repeatPurchaseRate } } }', { asOf: iso }),
    () => purchaseBehaviour(env.graph, { asOf, money }, asOf)));
  return samples;
}

/** degreesOfSeparation alone: API against driver, and where the API's time goes. */
async function benchSeparation(env: BenchEnv, redis: Redis, ids: string[], memoryGraph: MemoryGraph, small: boolean): Promise<{ samples: Sample[]; extra: string }> {
  const random = seededRandom(SEED);
  const pick = () => ids[Math.floor(random() * ids.length)];
  const pairs = Array.from({ length: 2000 }, () => [pick(), pick()] as const);
  const via = ['KNOWS', 'REFERRED'] as const;
  const runs = small ? 200 : 100;
  const samples: Sample[] = [];
  samples.push(await measure(redis, 'degreesOfSeparation (maxHops 6)', runs,
    (i) => env.gql(SEPARATION_DOCUMENT, { f: pairs[i][0], t: pairs[i][1] }),
    (i) => degreesOfSeparation(env.graph, pairs[i][0], pairs[i][1], [...via], 6),
    (i) => memoryGraph.distance(pairs[i][0], pairs[i][1], 6), true));
  // A product page: one customer against 100 others, as one call and as 100 calls; throughput counts pages.
  const pages = Array.from({ length: 200 }, () => ({ from: pick(), to: Array.from({ length: 100 }, pick) }));
  const pageRuns = Math.round(runs / 10);
  samples.push(await measure(redis, 'degreesOfSeparationMany (100 targets, maxHops 6)', pageRuns,
    (i) => env.gql(SEPARATION_MANY_DOCUMENT, { f: pages[i].from, t: pages[i].to }),
    (i) => degreesOfSeparationMany(env.graph, pages[i].from, pages[i].to, [...via], 6),
    (i) => memoryGraph.layers(pages[i].from, 6), true));
  // The previous query, through the driver only (its API column repeats the current query's, for the ratio).
  samples.push(await measure(redis, 'degreesOfSeparationMany as one APOC BFS (the previous query; API column: the current one)', pageRuns,
    (i) => env.gql(SEPARATION_MANY_DOCUMENT, { f: pages[i].from, t: pages[i].to }),
    (i) => env.graph.read(APOC_SEPARATION_MANY, { from: pages[i].from, to: [...new Set(pages[i].to)], types: 'KNOWS|REFERRED', maxHops: 6 })));
  samples.push(await measure(redis, '100 × degreesOfSeparation (the same page, one call after another)', pageRuns,
    async (i) => { for (const to of pages[i].to) await env.gql(SEPARATION_DOCUMENT, { f: pages[i].from, t: to }); },
    async (i) => { for (const to of pages[i].to) await degreesOfSeparation(env.graph, pages[i].from, to, [...via], 6); },
    undefined, true));
  const profilePairs = pairs.slice(1000);
  const pathIds = Array.from({ length: 100 }, () => [pick(), pick(), pick(), pick()]);
  await redis.incr(GRAPH_VERSION_KEY);
  const stages = await profileSeparationStages(env, redis, profilePairs, pathIds, (from, to) => degreesOfSeparation(env.graph, from, to, [...via], 6), Math.round(runs / 2));
  const types = relationshipTypes('via', [...via]);
  const single = await profilePlans(env.neo4jUri, separationQuery(types, 6).text, profilePairs.slice(0, 20).map(([from, to]) => ({ from, to })));
  const many = await profilePlans(env.neo4jUri, separationManyQuery(types, 6).text, pages.slice(0, 5).map((page) => ({ from: page.from, to: [...new Set(page.to)], types, maxHops: 6 })));
  return {
    samples,
    extra: [
      `### Where one call's time goes (${Math.round(runs / 2)} runs each)\n\n${stageTable(stages)}\n`,
      `### Query plans\n\n${planSection('degreesOfSeparation (maxHops 6), random pairs', single)}\n${planSection('degreesOfSeparationMany (100 targets, maxHops 6)', many)}`,
    ].join('\n'),
  };
}

/** The monotonic clock in µs, as the V8 CPU profile of the API process counts it. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

interface ProfileWindow {
  title: string;
  requests: number;
  fromUs: number;
  toUs: number;
  /** CPU seconds (user + system) the API process used in the window, from /proc: what the profile's wall-clock samples cannot tell apart from being preempted. */
  cpuSeconds?: number;
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (clock ticks of 1/100 s). */
function cpuSecondsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** PROFILE_CALLS degreesOfSeparation calls by 4 callers, after a warm-up; the window they ran in, for the profile. */
async function profileSeparationCalls(env: BenchEnv, ids: string[], title: string): Promise<ProfileWindow> {
  const random = seededRandom(SEED + 1);
  const pick = () => ids[Math.floor(random() * ids.length)];
  const pairs = Array.from({ length: PROFILE_CALLS + 200 }, () => [pick(), pick()] as const);
  for (let i = 0; i < 200; i++) await env.gql(SEPARATION_DOCUMENT, { f: pairs[i][0], t: pairs[i][1] });
  const cpuBefore = env.apiPid === undefined ? undefined : cpuSecondsOf(env.apiPid);
  const fromUs = monotonicUs();
  let next = 200;
  await Promise.all(Array.from({ length: THROUGHPUT_CONCURRENCY }, async () => {
    while (next < pairs.length) {
      const [f, t] = pairs[next++];
      await env.gql(SEPARATION_DOCUMENT, { f, t });
    }
  }));
  const toUs = monotonicUs();
  const cpuSeconds = cpuBefore === undefined ? undefined : cpuSecondsOf(env.apiPid!) - cpuBefore;
  say(`${title}: ${PROFILE_CALLS} calls profiled in ${((toUs - fromUs) / 1e6).toFixed(1)} s`);
  return { title, requests: PROFILE_CALLS, fromUs, toUs, cpuSeconds };
}

function report(title: string, samples: Sample[], extra = ''): string {
  if (samples.length === 0) return `## ${title}\n\n${extra}`;
  const ms = (values: number[], p: number) => (values.length ? percentile(values, p).toFixed(1) : '—');
  const ratio = (a: number[], b: number[]) => (a.length && b.length ? (percentile(a, 50) / percentile(b, 50)).toFixed(2) : '—');
  const latency = table(
    ['query', 'runs', 'API p50 ms', 'API p99 ms', 'driver p50 ms', 'driver p99 ms', 'in-memory BFS p50 ms', 'API/driver (p50)', 'driver/in-memory (p50)'],
    samples.map((s) => [s.query, s.api.length, ms(s.api, 50), ms(s.api, 99), ms(s.driver, 50), ms(s.driver, 99), ms(s.memory, 50), ratio(s.api, s.driver), ratio(s.driver, s.memory)]),
  );
  const withThroughput = samples.filter((s) => s.apiThroughput !== undefined);
  const rates = table(
    ['query', `API req/s (${THROUGHPUT_CONCURRENCY} concurrent)`, `driver req/s (${THROUGHPUT_CONCURRENCY} concurrent)`, 'API/driver'],
    withThroughput.map((s) => [s.query, s.apiThroughput!.toFixed(1), s.driverThroughput!.toFixed(1), (s.apiThroughput! / s.driverThroughput!).toFixed(2)]),
  );
  return `## ${title}\n\n### Latency\n\n${latency}\n\n### Throughput\n\n${rates}\n\n${extra}`;
}

/** The synthetic network under SYNTHETIC_PREFIX; with --separation-only only what paths follow. */
function prefixedSynthetic(data: SyntheticGraph, prefix: string): SyntheticGraph {
  const id = (value: string) => prefix + value;
  return {
    campaigns: data.campaigns.map((c) => ({ ...c, id: id(c.id) })),
    products: data.products.map((p) => ({ ...p, id: id(p.id) })),
    customers: data.customers.map((c) => ({ ...c, id: id(c.id) })),
    knows: data.knows.map(([a, b, strength]) => [id(a), id(b), strength]),
    referrals: data.referrals.map((r) => ({ ...r, referrerId: id(r.referrerId), inviteeId: id(r.inviteeId), campaign: id(r.campaign) })),
    // Identifier nodes are global: the prefix keeps one run's planted hashes from linking to another's.
    identifiers: data.identifiers?.map((i) => ({ ...i, customerId: id(i.customerId), hash: `${prefix}${i.hash}` })),
    purchases: SEPARATION_ONLY ? [] : data.purchases.map((p) => ({ ...p, customerId: id(p.customerId), productId: id(p.productId), orderId: id(p.orderId) })),
    reviews: SEPARATION_ONLY ? [] : data.reviews.map((r) => ({ ...r, customerId: id(r.customerId), productId: id(r.productId) })),
    memberships: SEPARATION_ONLY ? undefined : data.memberships?.map((m) => ({ ...m, customerId: id(m.customerId), campaignId: id(m.campaignId) })),
  };
}

const REMOVE_PREFIXED = cypher(
  'bench.removePrefixed',
  `MATCH (n) WHERE (n:Customer OR n:Campaign OR n:Product) AND n.id STARTS WITH $prefix
   CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 2000 ROWS`,
);

async function main() {
  const profileDir = path.join(ROOT, '.test-data', `bench-cpu-profile-${process.pid}`);
  const env = await startBenchEnv('analytics', process.env.BENCH_NEO4J_HEAP ?? '8g', Number(process.env.BENCH_PAGECACHE_MB ?? 6144), undefined, {
    apiProcess: API_PROCESS,
    apiCpuProfileDir: API_CPU_PROFILE ? profileDir : undefined,
  });
  const redis = new Redis(env.redisUrl);
  const profileWindows: ProfileWindow[] = [];
  const bench = API_CPU_PROFILE
    ? async (benchEnv: BenchEnv, _redis: Redis, ids: string[]) => {
        profileWindows.push(await profileSeparationCalls(benchEnv, ids, ids[0].startsWith('efb-') ? 'ego-Facebook' : `synthetic ${SYNTHETIC_SIZE}`));
        return { samples: [] as Sample[], extra: '' };
      }
    : SEPARATION_ONLY
      ? benchSeparation
      : flags['snapshot-rows-only']
        ? async (...args: Parameters<typeof benchDataset>) => ({ samples: [] as Sample[], extra: await benchSnapshotRows(args[0], SYNTHETIC_PREFIX) })
      : async (...args: Parameters<typeof benchDataset>) => ({ samples: await benchDataset(...args), extra: '' });
  let loadedSynthetic = false;
  let machine = env.machine;
  const apiPid = env.apiPid;
  const command = `npm run bench:analytics${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  try {
    const sections: string[] = [];
    if (!flags['skip-ego']) {
      say('importing ego-Facebook…');
      const parsed = parseEdgeList(fs.readFileSync(EGO_FACEBOOK, 'utf8'), 'efb-');
      const loadEgo = await timeIt(() => importEdgeList(env.graph, parsed));
      say(`ego-Facebook loaded in ${(loadEgo.ms / 1000).toFixed(1)}s`);
      const egoMemory = new MemoryGraph(parsed.pairs);
      const { samples, extra } = await bench(env, redis, [...egoMemory.index.keys()], egoMemory, true);
      sections.push(report(`ego-Facebook (4,039 customers, 88,234 KNOWS; loaded in ${(loadEgo.ms / 1000).toFixed(1)} s)`, samples, extra));
    }

    if (SYNTHETIC_SIZE > 0) {
      say(`generating and loading a synthetic network of ${SYNTHETIC_SIZE} customers…`);
      const launch = !SEPARATION_ONLY && !flags['skip-launch'];
      // One planted ring of five per 2,000 customers (500 at 1M), and identifiers for everyone: what fraudRings reads.
      const fraud = { rings: Math.max(1, Math.round(SYNTHETIC_SIZE / 2000)), ringSize: 5 };
      const options = { purchaseHistories: true, fraud, ...(launch ? { launch: {} } : {}) };
      const data = prefixedSynthetic(generateSyntheticGraph(SYNTHETIC_SIZE, SEED, options), SYNTHETIC_PREFIX);
      loadedSynthetic = true;
      const loadSynthetic = await timeIt(() => loadSyntheticGraph(env.graph, data, (what, done, total) => {
        if (done === total || done % 200_000 === 0) say(`  ${what}: ${done}/${total}`);
      }, 10_000));
      const memoryEdges = [...data.knows.map(([a, b]) => [a, b] as [string, string]), ...data.referrals.map((r) => [r.referrerId, r.inviteeId] as [string, string])];
      const syntheticMemory = new MemoryGraph(memoryEdges);
      const ids = data.customers.map((c) => c.id).filter((id) => syntheticMemory.index.has(id));
      const { samples, extra } = await bench(env, redis, ids, syntheticMemory, false);
      if (data.memberships && !flags['snapshot-rows-only']) samples.push(...(await benchLaunch(env, redis, data)));
      sections.push(report(
        `synthetic, seed ${SEED} (${data.customers.length.toLocaleString('en')} customers, ${data.knows.length.toLocaleString('en')} KNOWS, ${data.referrals.length.toLocaleString('en')} REFERRED, ${data.purchases.length.toLocaleString('en')} purchases; loaded in ${(loadSynthetic.ms / 1000).toFixed(0)} s)`,
        samples,
        extra,
      ));
    }

    if (!API_CPU_PROFILE) {
      const body = [
        'API: GraphQL over HTTP on loopback (auth, limits, the Redis cache moved to a new graph version before every call so that each call computes; customer fields loaded for the answer). ',
        API_PROCESS
          ? 'The API runs in a process of its own, started as `npm start` starts it (`node --import tsx scripts/start.ts`, NODE_ENV=production, LOG_LEVEL=info, its log to a file; background snapshot refreshes put off for a day), so the bench\'s client does not share its event loop. '
          : 'The API runs inside the bench\'s process (LOG_LEVEL silent), sharing its event loop with the client. ',
        'Driver: the same graph/ function, hence the same Cypher, called directly. In-memory: breadth-first search over a compressed adjacency of the same KNOWS and REFERRED edges in this process (bidirectional for a pair, as Neo4j\'s shortestPath; plain layers for the profile), ',
        'the lower bound for the two separation queries. Runs are sequential for latency, the API and the driver taking turns at going first for each set of arguments (whoever goes second finds the pages the first read in Neo4j\'s page cache); throughput runs the stated number of callers at once, twice over fresh arguments with each side first once, and quotes the mean of the two rates. ',
        SEPARATION_ONLY ? '' : 'The synthetic set is loaded after the ego-Facebook runs, so the ego rows (topInfluencers in particular) saw only that graph.',
        '\n\n',
        ...sections,
      ].join('');
      const resultsFile = SEPARATION_ONLY ? 'api-overhead.md' : flags['snapshot-rows-only'] ? 'analytics-snapshots.md' : flags['launch-rows-only'] ? 'analytics-launch.md' : flags['marketer-rows-only'] ? 'analytics-marketers.md' : 'analytics.md';
      const previous = path.join(RESULTS_DIR, resultsFile);
      const handWritten = SEPARATION_ONLY && fs.existsSync(previous) ? fs.readFileSync(previous, 'utf8').split(HAND_WRITTEN)[1] : undefined;
      const file = writeResults(resultsFile, SEPARATION_ONLY ? 'degreesOfSeparation: API against driver' : 'Analytics latency and throughput', command, env.machine, body + (handWritten === undefined ? '' : `\n${HAND_WRITTEN}${handWritten.trimEnd()}`));
      process.stdout.write(`\n${sections.join('\n')}\nwritten to ${file}\n`);
    }
  } finally {
    if (loadedSynthetic && SEPARATION_ONLY && !flags['keep-data']) {
      say(`removing the synthetic network (${SYNTHETIC_PREFIX}…)`);
      await env.graph.runAutoCommit(REMOVE_PREFIXED, { prefix: SYNTHETIC_PREFIX });
    }
    redis.disconnect();
    machine = env.machine;
    await env.close();
  }
  if (API_CPU_PROFILE) {
    // The API process wrote its profile when it exited (in env.close()).
    const profile = apiPid === undefined ? undefined : profileOf(profileDir, apiPid);
    if (!profile) throw new Error(`the API process left no CPU profile in ${profileDir}: ${fs.existsSync(profileDir) ? fs.readdirSync(profileDir).join(', ') : 'no folder'}`);
    const cpuLine = (w: ProfileWindow) => w.cpuSeconds === undefined ? '' : `CPU the API process used in the window (user + system, /proc): ${((w.cpuSeconds / w.requests) * 1e6).toFixed(0)} µs per request, ${((w.cpuSeconds / ((w.toUs - w.fromUs) / 1e6)) * 100).toFixed(0)}% of one core over ${((w.toUs - w.fromUs) / 1e6).toFixed(1)} s (this includes the profiler's own sampling).\n\n`;
    const sections = profileWindows.map((w) => `## ${w.title}\n\n${cpuLine(w)}${profileReport(summarizeCpuProfile(profile, w), w.requests)}\n`);
    const body = [
      `A V8 CPU profile (\`node --cpu-prof\`) of the API in its own process (as in api-overhead.md: NODE_ENV=production, LOG_LEVEL=info, its log to a file), `,
      `kept only for the ${PROFILE_CALLS} degreesOfSeparation calls (4 callers at once, random pairs, after 200 warm-up calls) of each dataset; `,
      'self time per area (a package, Node\'s internals, a folder of the project) and per function. `(garbage collector)` and `(program)` are V8\'s own; ',
      'time spent waiting for Neo4j or Redis is idle here, not counted as busy. The samples are taken by wall clock, so a thread preempted inside a system call ',
      '(a socket or file write that wakes Neo4j, Redis or the client on a busy 2-core machine) is counted in that call: `writeBuffer`, `writev`, `writeUtf8String` (sockets) and `writeString` (fs.writeSync, the log line) ',
      'hold the time of the round trips they start, not only CPU; the /proc line gives the CPU actually used.\n\n',
      ...sections,
    ].join('');
    const file = writeResults('api-cpu-profile.md', 'degreesOfSeparation: where the API process spends its CPU', command, machine, body);
    fs.rmSync(profileDir, { recursive: true, force: true });
    process.stdout.write(`\n${sections.join('\n')}\nwritten to ${file}\n`);
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
