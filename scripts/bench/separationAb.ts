import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { degreesOfSeparation, separationQuery } from '../../graph/analytics/separation';
import { loadSyntheticGraph } from '../../graph/bulkLoad';
import { importEdgeList, parseEdgeList } from '../../graph/edgeList';
import { applyMigrations } from '../../graph/migrations';
import { connectGraph } from '../../graph/neo4j';
import { generateSyntheticGraph, seededRandom } from '../../graph/synthetic';
import { scratchServices } from '../local/scratch';
import { ApiProcess, startApiProcess } from './apiProcess';
import { describeMachine, graphqlPoster, percentile, ROOT, say, table, timeIt, writeResults } from './common';
import { SEPARATION_DOCUMENT } from './apiOverhead';

// `tsx scripts/bench/separationAb.ts --baseline <checkout of an older commit>`: degreesOfSeparation through the API of
// this checkout and through the API of the baseline, both in processes of their own on the same Neo4j and Redis, with
// their calls alternated one by one (and the driver's two ways of sending the query, a read transaction and an
// auto-commit read, alternated the same way), so that whatever else loads the machine loads both alike. On a shared
// 2-core machine, runs made minutes apart differ by more than the change being measured; alternated calls do not.
// Writes results/api-overhead-ab.md.

const { values: flags } = parseArgs({
  options: {
    baseline: { type: 'string' },
    synthetic: { type: 'string', default: '0' },
    runs: { type: 'string', default: '300' },
  },
});
if (!flags.baseline || !fs.existsSync(path.join(flags.baseline, 'scripts', 'start.ts'))) throw new Error('--baseline must name a checkout with scripts/start.ts (and node_modules)');
const RUNS = Number(flags.runs);
const SYNTHETIC = Number(flags.synthetic);
const EGO_FACEBOOK = process.env.BENCH_EDGES ?? `${__dirname}/../../../shared/datasets/ego-facebook.edges`;
const VIA = ['KNOWS', 'REFERRED'] as const;

async function main() {
  const heap = '4g';
  const pageCacheMb = 2048;
  const services = await scratchServices(path.join(ROOT, '.test-data', `bench-ab-${process.pid}`), { heap, pageCacheMb, say });
  const graph = connectGraph({ uri: services.neo4jUri, user: process.env.NEO4J_USER ?? 'neo4j', password: process.env.NEO4J_PASSWORD ?? '' });
  const apis: ApiProcess[] = [];
  try {
    await applyMigrations(graph);
    const key = crypto.randomBytes(24).toString('base64url');
    const env = {
      NEO4J_URI: services.neo4jUri, REDIS_URL: services.redisUrl, API_KEYS: `${key}:admin`, DEMO_DATA: 'off', NODE_ENV: 'production', LOG_LEVEL: 'info',
      IDENTIFIER_HMAC_SECRET: crypto.randomBytes(32).toString('hex'), RATE_LIMIT_PER_MINUTE: '100000000',
      SNAPSHOT_REFRESH_SECONDS: String(24 * 60 * 60), COMMUNITY_REFRESH_SECONDS: String(24 * 60 * 60),
    };
    const scratch = path.join(ROOT, '.test-data', `bench-ab-api-${process.pid}`);
    const current = await startApiProcess({ scratch, env });
    apis.push(current);
    const baseline = await startApiProcess({ scratch, env, root: path.resolve(flags.baseline!) });
    apis.push(baseline);
    say(`APIs up: this checkout (pid ${current.pid}), baseline ${flags.baseline} (pid ${baseline.pid})`);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const post = { current: graphqlPoster(current.port, key, agent), baseline: graphqlPoster(baseline.port, key, agent) };
    const machine = await describeMachine(graph, heap, pageCacheMb);

    const datasets: Array<{ title: string; ids: string[] }> = [];
    const parsed = parseEdgeList(fs.readFileSync(EGO_FACEBOOK, 'utf8'), 'efb-');
    await importEdgeList(graph, parsed);
    datasets.push({ title: 'ego-Facebook (4,039 customers, 88,234 KNOWS)', ids: [...new Set(parsed.pairs.flat())] });
    if (SYNTHETIC > 0) {
      say(`loading a synthetic network of ${SYNTHETIC} customers…`);
      const data = generateSyntheticGraph(SYNTHETIC, 20261128);
      const prefixed = { ...data, customers: data.customers.map((c) => ({ ...c, id: `ab-${c.id}` })), knows: data.knows.map(([a, b, s]) => [`ab-${a}`, `ab-${b}`, s] as [string, string, number]),
        referrals: data.referrals.map((r) => ({ ...r, referrerId: `ab-${r.referrerId}`, inviteeId: `ab-${r.inviteeId}` })), purchases: [], reviews: [], identifiers: undefined, memberships: undefined };
      await loadSyntheticGraph(graph, prefixed, undefined, 10_000);
      datasets.push({ title: `synthetic, seed 20261128 (${SYNTHETIC.toLocaleString('en')} customers)`, ids: prefixed.customers.map((c) => c.id) });
    }

    const types = VIA.join('|');
    const query = separationQuery(types, 6);
    const sections: string[] = [];
    for (const { title, ids } of datasets) {
      const random = seededRandom(20261129);
      const pick = () => ids[Math.floor(random() * ids.length)];
      const pairs = Array.from({ length: RUNS + 100 }, () => [pick(), pick()] as const);
      const ways: Record<string, (f: string, t: string) => Promise<unknown>> = {
        'API, this checkout': (f, t) => post.current(SEPARATION_DOCUMENT, { f, t }),
        'API, baseline': (f, t) => post.baseline(SEPARATION_DOCUMENT, { f, t }),
        'driver, auto-commit read (graph.read now)': (f, t) => degreesOfSeparation(graph, f, t, [...VIA], 6),
        'driver, read transaction (graph.read before)': (f, t) => graph.readTransaction((tx) => tx.run(query, { from: f, to: t })),
      };
      const samples = new Map(Object.keys(ways).map((way) => [way, [] as number[]]));
      for (let i = 0; i < 100; i++) for (const run of Object.values(ways)) await run(...pairs[i]); // warm-up
      for (let i = 100; i < pairs.length; i++) {
        // Each pair through every way, in an order that rotates, so that no way always follows the same one.
        const order = Object.keys(ways);
        for (let k = 0; k < order.length; k++) {
          const way = order[(i + k) % order.length];
          samples.get(way)!.push((await timeIt(() => ways[way](...pairs[i]))).ms);
        }
      }
      const ms = (values: number[], p: number) => percentile(values, p).toFixed(2);
      const rows = [...samples.entries()].map(([way, values]) => [way, values.length, ms(values, 50), ms(values, 90), ms(values, 99)]);
      const p50 = (way: string) => percentile(samples.get(way)!, 50);
      const ratios = [
        ['API this checkout / API baseline', (p50('API, this checkout') / p50('API, baseline')).toFixed(2)],
        ['API this checkout / driver auto-commit', (p50('API, this checkout') / p50('driver, auto-commit read (graph.read now)')).toFixed(2)],
        ['API baseline / driver read transaction', (p50('API, baseline') / p50('driver, read transaction (graph.read before)')).toFixed(2)],
      ];
      sections.push(`## ${title}\n\n${table(['way', 'runs', 'p50 ms', 'p90 ms', 'p99 ms'], rows)}\n\n${table(['ratio of p50s', ''], ratios)}\n`);
      say(`${title}: ${rows.map((r) => `${r[0]} ${r[2]}`).join('; ')}`);
    }
    agent.destroy();
    const body = [
      `Two API processes, each started as \`npm start\` starts it (NODE_ENV=production, LOG_LEVEL=info, log to a file): this checkout's and the baseline's (\`--baseline ${flags.baseline}\`), `,
      'on one throwaway Neo4j and Redis. Every random pair goes through four ways one after another (the order rotating from pair to pair): ',
      "each API, and through the driver in this process both as graph.read sends a single read now (auto-commit) and as it did before (a read transaction: BEGIN, RUN + PULL, COMMIT). ",
      `${RUNS} pairs per dataset after 100 warm-up pairs; sequential, one call at a time.\n\n`,
      ...sections,
    ].join('');
    const file = writeResults('api-overhead-ab.md', 'degreesOfSeparation: this checkout against a baseline, calls alternated', `tsx scripts/bench/separationAb.ts ${process.argv.slice(2).join(' ')}`, machine, body);
    process.stdout.write(`\n${sections.join('\n')}\nwritten to ${file}\n`);
  } finally {
    for (const api of apis) await api.stop();
    await graph.close();
    await services.stop();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
