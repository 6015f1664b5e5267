import fs from 'node:fs';
import path from 'node:path';
import { loadSyntheticGraph } from '../graph/bulkLoad';
import { EdgeListImport, importEdgeList, ParsedEdgeList, parseEdgeList } from '../graph/edgeList';
import { LocalNeo4j, startLocalNeo4j } from './local/localNeo4j';
import { applyMigrations } from '../graph/migrations';
import { connectGraph, cypher, Graph } from '../graph/neo4j';
import { generateSyntheticGraph } from '../graph/synthetic';
import { AnalyticsCache } from '../server/cache/analyticsCache';
import { connectRedis } from '../server/cache/store';
import { loadConfig } from '../server/config';
import { isPortFree } from './local/processes';
import { localStoreIsFresh } from './local/adminImport';
import { importSyntheticIntoFreshStore } from './local/freshImport';
import { throttledProgress } from './progress';

// `npm run import -- --edges FILE [--prefix P]` or `npm run import -- --synthetic N [--seed S] [--knows-per-customer K]
// [--purchase-histories true] [--foreign-currency-share F]` (histories: graph/syntheticHistories.ts).
// Uses NEO4J_URI, else the local Neo4j of `npm start` (starting it for the import if it is not running).
// A synthetic import into a local store that holds no database yet goes through `neo4j-admin database import`
// (CSV files, no transactions; many times faster); any other import goes through the driver with MERGEs.

const USAGE =
  'usage: npm run import -- --edges FILE [--prefix P] | --synthetic N [--seed S] [--knows-per-customer K] [--purchase-histories true] [--foreign-currency-share F]';

function parseArgs(argv: string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) throw new Error(USAGE);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  return args;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** What was stored, not what was read, so a re-run says that it created nothing. */
function describeEdgeListImport(file: string, parsed: ParsedEdgeList, stored: EdgeListImport): string {
  const created =
    stored.customersCreated + stored.connectionsCreated === 0
      ? 'created nothing new'
      : `created ${plural(stored.customersCreated, 'customer')} and ${plural(stored.connectionsCreated, 'connection')} (KNOWS)`;
  const customersThere = parsed.ids.length - stored.customersCreated;
  const connectionsThere = parsed.pairs.length - stored.connectionsCreated;
  const alreadyThere =
    customersThere + connectionsThere === 0 ? '' : `; ${plural(customersThere, 'customer')} and ${plural(connectionsThere, 'connection')} were already in the graph`;
  return `${created} from ${file}${alreadyThere}; skipped ${plural(parsed.selfLoops, 'self-loop')}, merged ${plural(parsed.duplicates, 'duplicate edge')}`;
}

const progressLine = throttledProgress();

/** The local store of `npm start`, when this import would start it and it holds no database yet. */
async function freshLocalStore(): Promise<string | undefined> {
  const config = loadConfig();
  if (config.NEO4J_URI || !(await isPortFree(config.LOCAL_NEO4J_BOLT_PORT))) return undefined;
  const homeDir = path.resolve(config.DATA_DIR, 'neo4j');
  return localStoreIsFresh(homeDir) ? homeDir : undefined;
}

async function connect(): Promise<{ graph: Graph; local?: LocalNeo4j }> {
  const config = loadConfig();
  let uri = config.NEO4J_URI;
  let local: LocalNeo4j | undefined;
  if (!uri) {
    if (await isPortFree(config.LOCAL_NEO4J_BOLT_PORT)) {
      process.stdout.write('starting the local Neo4j for this import…\n');
      local = await startLocalNeo4j({ homeDir: path.resolve(config.DATA_DIR, 'neo4j'), boltPort: config.LOCAL_NEO4J_BOLT_PORT, heap: config.LOCAL_NEO4J_HEAP });
    }
    uri = `bolt://127.0.0.1:${config.LOCAL_NEO4J_BOLT_PORT}`;
  }
  const graph = connectGraph({ uri, user: config.NEO4J_USER, password: config.NEO4J_PASSWORD, database: config.NEO4J_DATABASE });
  await graph.ping();
  await applyMigrations(graph);
  return { graph, local };
}

/** A running service may hold cached answers about the graph this import changed: move it to a new version. */
async function invalidateAnalyticsCache(): Promise<void> {
  const config = loadConfig();
  const store = connectRedis(config.REDIS_URL ?? `redis://127.0.0.1:${config.LOCAL_REDIS_PORT}`);
  try {
    await new AnalyticsCache(store, config.CACHE_TTL_SECONDS).graphChanged();
  } catch {
    // No Redis reachable means no service caching answers about this graph right now.
  } finally {
    store.redis.disconnect();
  }
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!args.edges && !args.synthetic) throw new Error(USAGE);
  let load: (graph: Graph) => Promise<string>;
  /** Work done before the database is up: writing a fresh local store with the import tool. */
  let prepare: () => Promise<void> = async () => {};
  if (args.edges) {
    const parsed = parseEdgeList(fs.readFileSync(args.edges, 'utf8'), args.prefix ?? '');
    if (parsed.errors.length > 0) {
      for (const error of parsed.errors.slice(0, 50)) process.stderr.write(`${args.edges}:${error.line}: ${error.message}\n`);
      process.stderr.write(`${parsed.errors.length} bad line(s) of ${parsed.edgeLines}; nothing was imported.\n`);
      return 1;
    }
    load = async (graph) => {
      const stored = await importEdgeList(graph, parsed, progressLine);
      return describeEdgeListImport(args.edges, parsed, stored);
    };
  } else {
    const size = Number(args.synthetic);
    const seed = Number(args.seed ?? '1');
    const knowsPerCustomer = Number(args['knows-per-customer'] ?? '3');
    if (!Number.isInteger(size) || size < 1 || !Number.isInteger(seed) || !Number.isInteger(knowsPerCustomer) || knowsPerCustomer < 0) {
      throw new Error(`--synthetic, --seed and --knows-per-customer take whole numbers; ${USAGE}`);
    }
    const histories = args['purchase-histories'] ?? 'false';
    const foreignCurrencyShare = Number(args['foreign-currency-share'] ?? '0');
    if (!['true', 'false'].includes(histories) || !(foreignCurrencyShare >= 0 && foreignCurrencyShare <= 1)) {
      throw new Error(`--purchase-histories takes true or false, --foreign-currency-share a share from 0 to 1; ${USAGE}`);
    }
    const purchaseHistories = histories === 'true';
    const generate = () => {
      const t0 = Date.now();
      const data = generateSyntheticGraph(size, seed, { knowsPerCustomer, purchaseHistories, foreignCurrencyShare });
      process.stdout.write(`generated ${data.customers.length} customers and ${data.knows.length} connections in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
      return data;
    };
    const describe = (data: ReturnType<typeof generateSyntheticGraph>, how: string) =>
      `imported a synthetic network (seed ${seed}) ${how}: ${data.customers.length} customers, ${data.knows.length} connections, ${data.referrals.length} referrals, ${data.purchases.length} purchases, ${data.reviews.length} reviews`;
    const freshStore = await freshLocalStore();
    if (freshStore) {
      let summary = '';
      prepare = async () => {
        const data = generate();
        process.stdout.write(`the local store ${freshStore} holds no database yet: writing it with neo4j-admin database import\n`);
        await importSyntheticIntoFreshStore(freshStore, data, { heap: loadConfig().LOCAL_NEO4J_HEAP, out: process.stdout, say: (m) => process.stdout.write(`${m}\n`) });
        summary = describe(data, 'into a new store with neo4j-admin database import');
      };
      load = async () => summary;
    } else {
      load = async (graph) => {
        const data = generate();
        await loadSyntheticGraph(graph, data, progressLine);
        return describe(data, 'through the driver (MERGE, so nothing is added twice)');
      };
    }
  }
  const started = Date.now();
  await prepare();
  const { graph, local } = await connect();
  try {
    const summary = await load(graph);
    const [total] = await graph.read(
      cypher('import.total', 'MATCH (c:Customer) WITH count(c) AS customers RETURN customers, COUNT { ()-[:KNOWS]->() } AS connections'),
    );
    process.stdout.write(
      `${summary} in ${((Date.now() - started) / 1000).toFixed(1)}s; the graph now holds ${total.customers} customers and ${total.connections} connections\n`,
    );
    await invalidateAnalyticsCache();
    return 0;
  } finally {
    await graph.close();
    await local?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  },
);
