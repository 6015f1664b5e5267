import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSyntheticGraph } from '../../graph/bulkLoad';
import { applyMigrations } from '../../graph/migrations';
import { connectGraph, cypher, Graph } from '../../graph/neo4j';
import { generateSyntheticGraph, SyntheticGraph } from '../../graph/synthetic';
import { importSyntheticIntoFreshStore } from '../local/freshImport';
import { LocalNeo4j, startLocalNeo4j } from '../local/localNeo4j';
import { freePort } from '../local/processes';
import { throttledProgress } from '../progress';
import { ROOT, say, table, writeResults } from './common';

// `npm run bench:import`: a synthetic network (seed 1) imported into a fresh local store, the old way (the
// driver's MERGE batches, as `npm run import` did before) and the new way (CSV + neo4j-admin database import,
// then start and migrations), side by side at BENCH_SMALL customers, then the new way at BENCH_LARGE.
// Each run gets its own store in .scratch/, deleted afterwards; results/import.md is rewritten after each run.

const SMALL = Number(process.env.BENCH_SMALL ?? 200_000);
const LARGE = Number(process.env.BENCH_LARGE ?? 1_000_000);
const KNOWS_PER_CUSTOMER = Number(process.env.BENCH_KNOWS_PER_CUSTOMER ?? 10);
const SEED = 1;
const HEAP = process.env.BENCH_NEO4J_HEAP ?? '6g';
const PAGE_CACHE_MB = Number(process.env.BENCH_PAGE_CACHE_MB ?? 4096);
const SCRATCH = path.join(ROOT, '.scratch', `bench-import-${process.pid}`);

const COUNTS = cypher<{ customers: number; knows: number; relationships: number }>(
  'bench.importCounts',
  'MATCH (c:Customer) WITH count(c) AS customers RETURN customers, COUNT { ()-[:KNOWS]->() } AS knows, COUNT { ()-[]->() } AS relationships',
);

interface Run {
  path: string;
  customers: number;
  knows: number;
  relationships: number;
  generateS: number;
  writeS: number;
  startS: number;
  totalS: number;
}

const seconds = (since: number) => (Date.now() - since) / 1000;

async function startStore(homeDir: string): Promise<{ neo4j: LocalNeo4j; graph: Graph }> {
  const neo4j = await startLocalNeo4j({ homeDir, boltPort: await freePort(), heap: HEAP, pageCacheMb: PAGE_CACHE_MB });
  const graph = connectGraph({ uri: neo4j.uri, user: 'neo4j', password: '' });
  await applyMigrations(graph);
  return { neo4j, graph };
}

async function measure(name: string, size: number, write: (homeDir: string, data: SyntheticGraph) => Promise<{ startS: number; graph: Graph; neo4j: LocalNeo4j }>): Promise<Run> {
  const homeDir = path.join(SCRATCH, name.replace(/\W+/g, '-'));
  fs.rmSync(homeDir, { recursive: true, force: true });
  say(`${name}: ${size} customers, ${KNOWS_PER_CUSTOMER} KNOWS per customer`);
  const started = Date.now();
  const data = generateSyntheticGraph(size, SEED, { knowsPerCustomer: KNOWS_PER_CUSTOMER });
  const generateS = seconds(started);
  say(`  generated ${data.knows.length} KNOWS in ${generateS.toFixed(1)}s`);
  const { startS, graph, neo4j } = await write(homeDir, data);
  const totalS = seconds(started);
  try {
    const [counts] = await graph.read(COUNTS);
    const run = { path: name, customers: counts.customers, knows: counts.knows, relationships: counts.relationships, generateS, writeS: totalS - generateS - startS, startS, totalS };
    say(`  ${JSON.stringify(run)}`);
    return run;
  } finally {
    await graph.close();
    await neo4j.stop();
    fs.rmSync(homeDir, { recursive: true, force: true });
    fs.rmSync(`${homeDir}-import-staging`, { recursive: true, force: true });
  }
}

/** Before: start an empty store, then MERGE batches of 5,000 rows through the driver. */
const throughDriver = async (homeDir: string, data: SyntheticGraph) => {
  const t0 = Date.now();
  const { neo4j, graph } = await startStore(homeDir);
  const startS = seconds(t0);
  await loadSyntheticGraph(graph, data, throttledProgress());
  return { startS, graph, neo4j };
};

/** After: CSV files and the import tool into the new store, then start it and apply migrations. */
const throughImportTool = async (homeDir: string, data: SyntheticGraph) => {
  await importSyntheticIntoFreshStore(homeDir, data, { heap: HEAP, out: process.stdout, say });
  const t0 = Date.now();
  const { neo4j, graph } = await startStore(homeDir);
  return { startS: seconds(t0), graph, neo4j };
};

function machine(): string {
  const load = os.loadavg().map((value) => value.toFixed(1)).join(', ');
  return [
    `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}`,
    `Node ${process.version}; local Neo4j 5.26 (embedded), heap ${HEAP}, page cache ${PAGE_CACHE_MB} MiB; import tool heap ${HEAP}`,
    `load average at the start: ${load} (the machine is shared: other processes compete for the cores)`,
  ].join('\n');
}

function report(runs: Run[], machineText: string): string {
  const header = ['path', 'customers', 'KNOWS', 'all relationships', 'generate (s)', 'write (s)', 'start + migrations (s)', 'total (s)', 'relationships/s'];
  const rows = runs.map((run) => [
    run.path, run.customers, run.knows, run.relationships, run.generateS.toFixed(1), run.writeS.toFixed(1), run.startS.toFixed(1), run.totalS.toFixed(1),
    Math.round(run.relationships / (run.writeS + run.startS)),
  ]);
  const body = [
    `Seed ${SEED}, ${KNOWS_PER_CUSTOMER} KNOWS drawn per customer (plus the referrals, purchases and reviews the generator adds). `,
    'Each run imports into a fresh local store of its own. "driver MERGE" is the path `npm run import` took before for every ',
    'import (UNWIND batches of 5,000 MERGEs, one transaction each; after the Neo4j started); "neo4j-admin import" is the path it ',
    'takes now for a synthetic import into a local store with no database yet (CSV files, `neo4j-admin database import full`, ',
    'then start and migrations). Write is the load (or CSV + import tool); total includes generating the graph in Node. ',
    'relationships/s counts write + start.\n\n',
    table(header, rows),
  ].join('');
  const file = writeResults('import.md', 'Import: driver MERGE batches vs neo4j-admin database import into a fresh store', 'npm run bench:import', machineText, body);
  process.stdout.write(`\n${table(header, rows)}\n\nwritten to ${file}\n`);
  return file;
}

async function main() {
  const machineText = machine();
  const runs: Run[] = [];
  const modes = (process.env.BENCH_RUNS ?? 'driver-small,tool-small,tool-large').split(',');
  try {
    for (const mode of modes) {
      if (mode === 'driver-small') runs.push(await measure('driver MERGE', SMALL, throughDriver));
      else if (mode === 'tool-small') runs.push(await measure('neo4j-admin import', SMALL, throughImportTool));
      else if (mode === 'tool-large') runs.push(await measure('neo4j-admin import', LARGE, throughImportTool));
      else if (mode === 'driver-large') runs.push(await measure('driver MERGE', LARGE, throughDriver));
      else throw new Error(`unknown BENCH_RUNS entry ${mode}`);
      report(runs, machineText);
    }
  } finally {
    fs.rmSync(SCRATCH, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
