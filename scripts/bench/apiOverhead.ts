import { buildASTSchema, parse, validate } from 'graphql';
import Redis from 'ioredis';
import neo4j from 'neo4j-driver';
import { customersByIds } from '../../graph/customers';
import { cypher, sentForm } from '../../graph/neo4j';
import { measureOperation } from '../../server/bounds/limits';
import { loadTypeDefs } from '../../server/schema';
import { BenchEnv, percentile, table, timeIt } from './common';

// Where the time of one degreesOfSeparation call through the API goes: each stage the request
// passes through, timed alone in this process, in the order the request meets them. The stages do
// not add up exactly to the API's time (the event loop interleaves them), but they show which ones matter.

export const SEPARATION_DOCUMENT = 'query($f: ID!, $t: ID!) { degreesOfSeparation(from: $f, to: $t) { degrees path { id } } }';

const TRIVIAL = cypher('bench.trivial', 'RETURN 1 AS one');

export interface Stage {
  stage: string;
  perRequest: string;
  samples: number[];
}

/** Times each stage `runs` times; `pairs` and `pathIds` come from the dataset being measured. */
export async function profileSeparationStages(
  env: BenchEnv,
  redis: Redis,
  pairs: ReadonlyArray<readonly [string, string]>,
  pathIds: string[][],
  separation: (from: string, to: string) => Promise<unknown>,
  runs: number,
): Promise<Stage[]> {
  const schema = buildASTSchema(parse(loadTypeDefs().join('\n')));
  const document = parse(SEPARATION_DOCUMENT);
  const operation = document.definitions[0];
  if (operation.kind !== 'OperationDefinition') throw new Error('the separation document has no operation');
  const stages: Array<{ stage: string; perRequest: string; run: (i: number) => Promise<unknown> }> = [
    { stage: 'whole request through the API (HTTP, auth, rate limit, Apollo, resolver)', perRequest: '1', run: (i) => env.gql(SEPARATION_DOCUMENT, { f: pairs[i][0], t: pairs[i][1] }) },
    { stage: 'trivial request through the API (`{ __typename }`: HTTP, auth, rate limit, Apollo)', perRequest: '1', run: () => env.gql('{ __typename }') },
    { stage: 'one Redis round trip (GET)', perRequest: '0 (the rate limit is the one trip)', run: () => redis.get('grapevine:bench:nothing') },
    { stage: 'one Redis MULTI (INCR + EXPIRE NX), the rate limit', perRequest: '1', run: () => redis.multi().incr('grapevine:bench:counter').expire('grapevine:bench:counter', 120, 'NX').exec() },
    { stage: 'parse + validate the document (Apollo caches both per query text)', perRequest: '0 after the first', run: async () => validate(schema, parse(SEPARATION_DOCUMENT)) },
    { stage: 'limits plugin: measureOperation (depth and cost)', perRequest: '1', run: async () => measureOperation(schema, document, operation, { f: pairs[0][0], t: pairs[0][1] }, 10) },
    { stage: 'one trivial Neo4j read as a transaction (`RETURN 1`: BEGIN, RUN + PULL, COMMIT)', perRequest: '0', run: () => env.graph.readTransaction((tx) => tx.run(TRIVIAL)) },
    { stage: 'one trivial Neo4j read as graph.read sends it (`RETURN 1`: auto-commit, RUN + PULL)', perRequest: '0', run: () => env.graph.read(TRIVIAL) },
    { stage: 'the separation query (graph/analytics/separation.ts, through graph.read)', perRequest: '1', run: (i) => separation(pairs[i][0], pairs[i][1]) },
    { stage: "customer.byIds for the path's customers (the DataLoader's query; the separation query returns them now)", perRequest: '0', run: (i) => customersByIds(env.graph, pathIds[i % pathIds.length]) },
  ];
  const measured: Stage[] = [];
  for (const { stage, perRequest, run } of stages) {
    await run(0); // warm: connections, JIT, Apollo's document cache
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) samples.push((await timeIt(() => run(i))).ms);
    measured.push({ stage, perRequest, samples });
  }
  return measured;
}

export function stageTable(stages: Stage[]): string {
  const ms = (values: number[], p: number) => percentile(values, p).toFixed(p === 50 ? 2 : 1);
  return table(['stage', 'times per request', 'p50 ms', 'p99 ms'], stages.map((s) => [s.stage, s.perRequest, ms(s.samples, 50), ms(s.samples, 99)]));
}

export interface PlanProfile {
  runs: number;
  dbHitsP50: number;
  dbHitsMax: number;
  /** The operators of the median run's plan, outermost first, each with its rows and db hits. */
  plan: string;
}

interface ProfiledPlan {
  operatorType: string;
  dbHits: number;
  rows: number;
  arguments: Record<string, unknown>;
  children: ProfiledPlan[];
}

const totalDbHits = (plan: ProfiledPlan): number => plan.dbHits + plan.children.reduce((sum, child) => sum + totalDbHits(child), 0);
const operators = (plan: ProfiledPlan, depth = 0): string[] => [
  `${'  '.repeat(depth)}${plan.operatorType.replace(/@.*$/, '')} rows=${plan.rows} dbHits=${plan.dbHits}`,
  ...plan.children.flatMap((child) => operators(child, depth + 1)),
];

/** PROFILE of `text` once per parameter set, through a driver of its own: db hits per run and the median run's plan. */
export async function profilePlans(neo4jUri: string, text: string, paramSets: Array<Record<string, unknown>>): Promise<PlanProfile> {
  const driver = neo4j.driver(neo4jUri, neo4j.auth.basic(process.env.NEO4J_USER ?? 'neo4j', process.env.NEO4J_PASSWORD || 'unused'), { disableLosslessIntegers: true });
  const session = driver.session({ defaultAccessMode: neo4j.session.READ });
  try {
    const runs: Array<{ hits: number; plan: ProfiledPlan }> = [];
    for (const params of paramSets) {
      // Sent as the service sends it (graph/wireForm.ts), so that this is the plan the service runs.
      const result = await session.run(...sentForm(`PROFILE ${text}`, params));
      const plan = result.summary.profile as unknown as ProfiledPlan;
      runs.push({ hits: totalDbHits(plan), plan });
    }
    runs.sort((a, b) => a.hits - b.hits);
    const median = runs[Math.floor((runs.length - 1) / 2)];
    return { runs: runs.length, dbHitsP50: median.hits, dbHitsMax: runs[runs.length - 1].hits, plan: operators(median.plan).join('\n') };
  } finally {
    await session.close();
    await driver.close();
  }
}

export function planSection(title: string, profile: PlanProfile): string {
  return `${title}: PROFILE over ${profile.runs} runs, db hits p50 ${profile.dbHitsP50.toLocaleString('en')}, max ${profile.dbHitsMax.toLocaleString('en')}; the median run's plan:\n\n\`\`\`\n${profile.plan}\n\`\`\`\n`;
}
