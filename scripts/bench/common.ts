import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { serviceInfo } from '../../graph/serviceInfo';
import { applyMigrations } from '../../graph/migrations';
import { connectGraph, Graph, QueryObserver } from '../../graph/neo4j';
import { createApp } from '../../server/app';
import { connectRedis } from '../../server/cache/store';
import { redisConnection } from '../../server/cache/redisConnection';
import { startLive } from '../../server/live';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { createMetrics } from '../../server/metrics';
import { freePort } from '../local/processes';
import { scratchServices, ScratchServices } from '../local/scratch';
import { startApiProcess } from './apiProcess';

export const ROOT = path.resolve(__dirname, '..', '..');
export const RESULTS_DIR = path.join(ROOT, 'scripts', 'bench', 'results');
export const say = (message: string) => process.stdout.write(`[bench] ${message}\n`);

export interface BenchEnv {
  graph: Graph;
  neo4jUri: string;
  redisUrl: string;
  /** POSTs one GraphQL operation over real HTTP and fails loudly on errors. */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  machine: string;
  /** The API's process id when it runs in a process of its own. */
  apiPid?: number;
  /**
   * A second API beside the first, on the same services and key, with `overrides` over its settings: in a process of
   * its own when the first is, else in this process.
   */
  startVariant(overrides: Record<string, string>): Promise<{ gql: BenchEnv['gql']; close(): Promise<void> }>;
  /**
   * With the API in processes of their own: the calls and seconds per named statement that they (the first and every
   * variant still running) have counted so far, read from their /metrics. Undefined with the API in this process,
   * where `observe` sees its statements.
   */
  apiStatementTotals(): Promise<StatementTotals | undefined>;
  close(): Promise<void>;
}

/** Calls and seconds per named statement (and `transaction.commit`). */
export type StatementTotals = Map<string, { calls: number; seconds: number }>;

/** Adds `calls` and `seconds` to `statement`'s entry in `totals`. */
export function addStatementTime(totals: StatementTotals, statement: string, calls: number, seconds: number): void {
  const entry = totals.get(statement) ?? { calls: 0, seconds: 0 };
  totals.set(statement, { calls: entry.calls + calls, seconds: entry.seconds + seconds });
}

export interface BenchEnvOptions {
  /**
   * Runs the API in a process of its own (scripts/bench/apiProcess.ts, as `npm start` runs it, LOG_LEVEL info) rather
   * than in the bench's process, where the client and the server would share one event loop.
   */
  apiProcess?: boolean;
  /** With apiProcess: a folder for a V8 CPU profile of the API process (`node --cpu-prof`), written when it stops. */
  apiCpuProfileDir?: string;
}

/** A real server on a loopback port, backed by NEO4J_URI/REDIS_URL or throwaway local services. */
/** `observe` sees every statement the bench (and, in-process, its server) runs, with its duration (see connectGraph). */
export async function startBenchEnv(name: string, neo4jHeap = '6g', pageCacheMb = 4096, observe?: QueryObserver, options: BenchEnvOptions = {}): Promise<BenchEnv> {
  const scratch = path.join(ROOT, '.test-data', `bench-${name}-${process.pid}`);
  const services: ScratchServices = await scratchServices(scratch, { heap: neo4jHeap, pageCacheMb, say });
  const graph = connectGraph({ uri: services.neo4jUri, user: process.env.NEO4J_USER ?? 'neo4j', password: process.env.NEO4J_PASSWORD ?? '' }, observe);
  await applyMigrations(graph);
  const key = crypto.randomBytes(24).toString('base64url');
  // SNAPSHOT_FIRST_WAIT_MS: a benchmark times a first whole-graph computation through the API, so the request waits
  // for it instead of getting ANSWER_PENDING.
  const settings = {
    RATE_LIMIT_PER_MINUTE: '100000000',
    MAX_BODY_BYTES: String(16 * 1024 * 1024),
    SNAPSHOT_FIRST_WAIT_MS: String(24 * 60 * 60 * 1000),
  };
  let port: number;
  let stopServer: () => Promise<void>;
  let apiPid: number | undefined;
  // The API processes running (the first and its variants), by port.
  const apiPorts = new Set<number>();
  const apiEnv = {
    ...settings,
    NEO4J_URI: services.neo4jUri,
    REDIS_URL: services.redisUrl,
    API_KEYS: `${key}:admin`,
    DEMO_DATA: 'off',
    NODE_ENV: 'production',
    IDENTIFIER_HMAC_SECRET: crypto.randomBytes(32).toString('hex'),
    LOG_LEVEL: 'info',
    SNAPSHOT_REFRESH_SECONDS: String(24 * 60 * 60),
    COMMUNITY_REFRESH_SECONDS: String(24 * 60 * 60),
  };
  const apiScratch = path.join(ROOT, '.test-data', `bench-${name}-api-${process.pid}`);
  if (options.apiProcess) {
    // Started before the data is loaded, so that the background snapshot refresh's first tick (right at start) runs
    // on an empty graph; the next ones come a day later, so none competes with the measured calls.
    const api = await startApiProcess({ scratch: apiScratch, cpuProfileDir: options.apiCpuProfileDir, env: apiEnv });
    port = api.port;
    apiPid = api.pid;
    apiPorts.add(api.port);
    stopServer = () => api.stop();
    say(`API in its own process (pid ${api.pid}) on port ${api.port}; its log: ${api.logFile}`);
  } else {
    const api = await startInProcessApi(graph, services.redisUrl, key, settings, { live: true });
    port = api.port;
    stopServer = api.stop;
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const machine = await describeMachine(graph, neo4jHeap, pageCacheMb);

  const gql = graphqlPoster(port, key, agent);

  return {
    graph,
    neo4jUri: services.neo4jUri,
    redisUrl: services.redisUrl,
    gql,
    machine,
    apiPid,
    async startVariant(overrides) {
      const variant = options.apiProcess
        ? await startApiProcess({ scratch: apiScratch, env: { ...apiEnv, ...overrides } })
        : await startInProcessApi(graph, services.redisUrl, key, { ...settings, ...overrides }, { live: false });
      if (options.apiProcess) apiPorts.add(variant.port);
      const variantAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
      return {
        gql: graphqlPoster(variant.port, key, variantAgent),
        async close() {
          variantAgent.destroy();
          apiPorts.delete(variant.port);
          await variant.stop();
        },
      };
    },
    async apiStatementTotals() {
      if (!options.apiProcess) return undefined;
      const totals: StatementTotals = new Map();
      for (const apiPort of apiPorts) {
        for (const [statement, counted] of await statementTotalsOf(apiPort, key)) addStatementTime(totals, statement, counted.calls, counted.seconds);
      }
      return totals;
    },
    async close() {
      agent.destroy();
      await stopServer();
      await graph.close();
      await services.stop();
    },
  };
}

/**
 * An API in this process (LOG_LEVEL silent) on a free loopback port, with `settings` over the environment: the bench's
 * own, or a second one beside it with other settings (bench:writes runs single mutations through both). With `live`,
 * it relays the outbox to the live stream after each commit, as the service does (server/live); the relay listens
 * to every commit in the process, so one API with it is enough.
 */
export async function startInProcessApi(
  graph: Graph,
  redisUrl: string,
  key: string,
  settings: Record<string, string>,
  options: { live: boolean },
): Promise<{ port: number; stop(): Promise<void> }> {
  const services = startProcessServices(graph, redisUrl, settings, options.live);
  const { config, store, log, live } = services;
  const { app, stop } = await createApp({ config, apiKeys: [{ key, role: 'admin' }], graph, store, log, metrics: createMetrics(), live });
  const server = http.createServer(app);
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stop();
      await services.stop();
    },
  };
}

/**
 * The live relay for this process's own writes (with the API in a process of its own, the bench's in-process writes
 * have no API beside them to relay their outbox after each commit, as the service's processes all do).
 */
export function startRelay(graph: Graph, redisUrl: string): { stop(): Promise<void> } {
  return startProcessServices(graph, redisUrl, {}, true);
}

/**
 * What a service process runs beside its HTTP server, started here as the service starts it (LOG_LEVEL silent): the
 * store on Redis and, with `live`, the relay, stream reader and webhook worker (server/live).
 */
function startProcessServices(graph: Graph, redisUrl: string, settings: Record<string, string>, live: boolean) {
  const store = connectRedis(redisUrl);
  const config = loadConfig({ ...process.env, ...settings, REDIS_URL: redisUrl, LOG_LEVEL: 'silent' });
  const log = createLogger('silent');
  const liveEvents = live ? startLive({ graph, store, redis: redisConnection(config), config, log }) : undefined;
  return {
    store,
    config,
    log,
    live: liveEvents,
    async stop() {
      await liveEvents?.stop();
      await store.close();
    },
  };
}

/** CPU, cores, memory, OS, Node and the Neo4j, GDS and APOC versions: the lines every results file opens with. */
export async function describeMachine(graph: Graph, neo4jHeap: string, pageCacheMb: number): Promise<string> {
  const versions = await serviceInfo(graph);
  return [
    `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}`,
    `Node ${process.version}; Neo4j ${versions.neo4jVersion} (embedded, ${process.env.NEO4J_URI ? 'given by NEO4J_URI' : `local, heap ${neo4jHeap}, page cache ${pageCacheMb} MiB`}), GDS ${versions.gdsVersion}, APOC ${versions.apocVersion}`,
  ].join('\n');
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const median = (values: number[]) => percentile(values, 50);

export async function timeIt<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

export function writeResults(file: string, title: string, command: string, machine: string, body: string): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const target = path.join(RESULTS_DIR, file);
  fs.writeFileSync(
    target,
    `# ${title}\n\nMeasured ${new Date().toISOString()} with \`${command}\`.\n\nMachine:\n\n\`\`\`\n${machine}\n\`\`\`\n\n${body}\n`,
  );
  return target;
}

export function table(header: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A GraphQL request that did not come back as HTTP 200 with data and no `errors`. */
export class RequestError extends Error {}

/** What an API process's /metrics says of its named statements: grapevine_neo4j_query_duration_seconds, over both outcomes. */
async function statementTotalsOf(port: number, key: string): Promise<StatementTotals> {
  const text = await new Promise<string>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/metrics', headers: { authorization: `Bearer ${key}` } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => (response.statusCode === 200 ? resolve(Buffer.concat(chunks).toString()) : reject(new RequestError(`/metrics: HTTP ${response.statusCode}`))));
        response.on('error', reject);
      })
      .on('error', reject);
  });
  const totals: StatementTotals = new Map();
  for (const line of text.split('\n')) {
    const match = /^grapevine_neo4j_query_duration_seconds_(sum|count)\{[^}]*query="([^"]+)"[^}]*\} (\S+)$/.exec(line);
    if (!match) continue;
    const [, field, statement, value] = match;
    if (field === 'sum') addStatementTime(totals, statement, 0, Number(value));
    else addStatementTime(totals, statement, Number(value), 0);
  }
  return totals;
}

/**
 * GraphQL POSTs over a keep-alive agent; anything but HTTP 200 with no `errors` rejects with a RequestError. A request
 * sent on a kept-alive socket that the server closed for idling just then (its keepAliveTimeout) is sent once more on a
 * new one, as Node's documentation advises: the server never saw it.
 */
export function graphqlPoster(port: number, key: string, agent: http.Agent) {
  const post = <T>(query: string, variables: Record<string, unknown> | undefined, retried: boolean): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const body = JSON.stringify({ query, variables });
      const request = http.request(
        { host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'content-length': Buffer.byteLength(body) } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let parsed: { data?: T; errors?: unknown } | undefined;
            try {
              parsed = JSON.parse(text) as { data?: T; errors?: unknown };
            } catch {
              parsed = undefined;
            }
            if (response.statusCode !== 200 || !parsed || parsed.errors) {
              reject(new RequestError(`HTTP ${response.statusCode}: ${JSON.stringify(parsed?.errors ?? text).slice(0, 600)}`));
            } else resolve(parsed.data as T);
          });
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (request.reusedSocket && !retried && (error.code === 'ECONNRESET' || error.message === 'socket hang up')) resolve(post<T>(query, variables, true));
        else reject(error);
      });
      request.end(body);
    });
  return <T>(query: string, variables?: Record<string, unknown>) => post<T>(query, variables, false);
}
