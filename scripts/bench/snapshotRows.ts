import { referralConversion } from '../../graph/analytics/conversion';
import { topInfluencers } from '../../graph/analytics/influence';
import { BenchEnv, percentile, say, table, timeIt } from './common';

// `npm run bench:analytics -- --snapshot-rows-only`: the rankings and the funnel as a marketer meets them. The first
// request computes (the benchmark's API waits for it); then, round after round, a write goes through the API and the
// next request is timed: the answer comes from the snapshot the background refresh keeps, with its age (`asOf`).

const ROUNDS = Number(process.env.BENCH_SNAPSHOT_ROUNDS ?? 7);

interface SnapshotQuery {
  name: string;
  document: string;
  variables?: Record<string, unknown>;
  /** The `asOf` of the answer (an ISO instant, as the DateTime scalar writes it). */
  asOf(data: Record<string, unknown>): string;
  /** The computation the background refresh runs, through the driver. */
  compute(env: BenchEnv): Promise<unknown>;
}

const MEASURES = ['REFERRAL_REACH', 'CONVERSIONS', 'PAGERANK', 'SOCIAL_REACH'] as const;

const QUERIES: SnapshotQuery[] = [
  {
    name: 'referralConversion (all campaigns)',
    document: '{ referralConversion { asOf overall { referrals kFactor } byGeneration { generation } } }',
    asOf: (data) => (data.referralConversion as { asOf: string }).asOf,
    compute: (env) => referralConversion(env.graph, null),
  },
  ...MEASURES.map((by): SnapshotQuery => ({
    name: `topInfluencers(by: ${by}) with its asOf (influencerRanking)`,
    document: 'query($by: InfluenceMeasure!) { influencerRanking(by: $by) { asOf entries { rank score } } }',
    variables: { by },
    asOf: (data) => (data.influencerRanking as { asOf: string }).asOf,
    compute: (env) => topInfluencers(env.graph, by, null, 20),
  })),
];

/** One markdown section: per query, the first computation, then the p50/p99 of requests each made right after a write. */
export async function benchSnapshotRows(env: BenchEnv, prefix: string): Promise<string> {
  const rows: string[][] = [];
  let writes = 0;
  const write = () =>
    env.gql('mutation($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { id } }', { input: { id: `${prefix}snapshot-writer-${writes++}` } });
  for (const query of QUERIES) {
    const first = await timeIt(() => env.gql<Record<string, unknown>>(query.document, query.variables));
    const afterWrite: number[] = [];
    const ages: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await write();
      const { ms, value } = await timeIt(() => env.gql<Record<string, unknown>>(query.document, query.variables));
      afterWrite.push(ms);
      ages.push((Date.now() - Date.parse(query.asOf(value))) / 1000);
    }
    const background = await timeIt(() => query.compute(env));
    say(`${query.name}: first ${first.ms.toFixed(0)} ms, after a write p50 ${percentile(afterWrite, 50).toFixed(1)} ms`);
    rows.push([
      query.name, first.ms.toFixed(0), String(ROUNDS), percentile(afterWrite, 50).toFixed(1), percentile(afterWrite, 99).toFixed(1),
      percentile(ages, 50).toFixed(0), background.ms.toFixed(0),
    ]);
  }
  return [
    `### Rankings and the funnel after writes\n\n`,
    `Each query: its first request (nothing computed yet: the benchmark's API waits for the computation, a production API answers `,
    `ANSWER_PENDING after SNAPSHOT_FIRST_WAIT_MS), then ${ROUNDS} rounds of one write through the API (\`upsertCustomer\`, which moves the graph `,
    `version) followed by the timed request. Age: how old the answer's \`asOf\` was when it arrived. Background: the same computation `,
    `through the driver, which the snapshot refresh job runs every SNAPSHOT_REFRESH_SECONDS.\n\n`,
    table(['query', 'first request ms', 'requests after a write', 'p50 ms', 'p99 ms', 'age of the answer p50 s', 'background computation ms'], rows),
    '\n',
  ].join('');
}
