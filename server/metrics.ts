import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  observeRequest(operation: string, outcome: 'ok' | 'error', seconds: number): void;
  observeNeo4jQuery(queryName: string, seconds: number, failed: boolean): void;
}

/** A registry per app, so that tests can build several apps in one process. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'grapevine_' });
  const requests = new Counter({
    name: 'grapevine_graphql_requests_total',
    help: 'GraphQL requests by operation (type and first root field) and outcome',
    labelNames: ['operation', 'outcome'],
    registers: [registry],
  });
  const requestSeconds = new Histogram({
    name: 'grapevine_graphql_request_duration_seconds',
    help: 'GraphQL request latency by operation (type and first root field)',
    labelNames: ['operation'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const neo4jSeconds = new Histogram({
    name: 'grapevine_neo4j_query_duration_seconds',
    help: 'Neo4j query time by named Cypher statement',
    labelNames: ['query', 'outcome'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    observeRequest(operation, outcome, seconds) {
      requests.inc({ operation, outcome });
      requestSeconds.observe({ operation }, seconds);
    },
    observeNeo4jQuery(queryName, seconds, failed) {
      neo4jSeconds.observe({ query: queryName, outcome: failed ? 'error' : 'ok' }, seconds);
    },
  };
}
