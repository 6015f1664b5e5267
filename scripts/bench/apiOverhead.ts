import { buildASTSchema, parse, validate } from 'graphql';
import Redis from 'ioredis';
import { customersByIds } from '../../graph/customers';
import { cypher } from '../../graph/neo4j';
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
    { stage: 'one Redis round trip (GET)', perRequest: 'see the counts below', run: () => redis.get('grapevine:bench:nothing') },
    { stage: 'one Redis MULTI (INCR + EXPIRE NX), the rate limit', perRequest: '1', run: () => redis.multi().incr('grapevine:bench:counter').expire('grapevine:bench:counter', 120, 'NX').exec() },
    { stage: 'parse + validate the document (Apollo caches both per query text)', perRequest: '0 after the first', run: async () => validate(schema, parse(SEPARATION_DOCUMENT)) },
    { stage: 'limits plugin: measureOperation (depth and cost)', perRequest: '1', run: async () => measureOperation(schema, document, operation, { f: pairs[0][0], t: pairs[0][1] }, 10) },
    { stage: 'one trivial Neo4j read transaction (`RETURN 1`)', perRequest: 'see the counts below', run: () => env.graph.read(TRIVIAL) },
    { stage: 'the separation query (graph/analytics/separation.ts)', perRequest: '1', run: (i) => separation(pairs[i][0], pairs[i][1]) },
    { stage: "customer.byIds for the path's customers (the DataLoader's query)", perRequest: 'see the counts below', run: (i) => customersByIds(env.graph, pathIds[i % pathIds.length]) },
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
