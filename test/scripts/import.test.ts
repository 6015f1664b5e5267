import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cypher } from '../../graph/neo4j';
import { freePort } from '../../scripts/local/processes';
import { requireEnv, testGraph, uniquePrefix } from '../support/services';

const ROOT = path.resolve(__dirname, '..', '..');
const COUNT = cypher(
  'test.importCount',
  `OPTIONAL MATCH (c:Customer) WHERE c.id STARTS WITH $prefix
   WITH count(c) AS customers
   RETURN customers, COUNT { (a:Customer)-[:KNOWS]->(:Customer) WHERE a.id STARTS WITH $prefix } AS knows`,
);
/** Each KNOWS once, its ends in id order, whichever way it points. */
const EDGES = cypher(
  'test.importEdges',
  `MATCH (x:Customer)-[:KNOWS]-(y:Customer)
   WHERE x.id STARTS WITH $prefix AND x.id < y.id
   RETURN x.id AS a, y.id AS b ORDER BY a, b`,
);

function runImport(args: string[]) {
  return spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/import.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, NEO4J_URI: requireEnv('NEO4J_URI') },
    encoding: 'utf8',
  });
}

describe('npm run import -- --edges', () => {
  const graph = testGraph();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grapevine-import-'));
  afterAll(async () => {
    await graph.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('imports an edge list idempotently, with comments, and reports what it created', async () => {
    const prefix = `${uniquePrefix('edges')}-`;
    const file = path.join(dir, 'good.edges');
    fs.writeFileSync(file, '# a comment\n1 2\n2 3\n\n3\t1\n');
    const first = runImport(['--edges', file, '--prefix', prefix]);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/created 3 customers and 3 connections \(KNOWS\) from \S+good\.edges; skipped 0 self-loops, merged 0 duplicate edges/);
    const [row] = await graph.read(COUNT, { prefix });
    expect(row).toEqual({ customers: 3, knows: 3 });
  });

  test('self-loops are skipped and duplicate edges in either direction merged, and the counts say so', async () => {
    const prefix = `${uniquePrefix('loops')}-`;
    const file = path.join(dir, 'loops.edges');
    // 1-2 three times (once reversed), 2-3 once, 4-4 a self-loop twice, 1-1 a self-loop: 2 connections, 4 customers.
    fs.writeFileSync(file, '1 2\n2 1\n4 4\n2 3\n1 2\n1 1\n4 4\n');
    const result = runImport(['--edges', file, '--prefix', prefix]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/created 4 customers and 2 connections \(KNOWS\) from \S+; skipped 3 self-loops, merged 2 duplicate edges/);
    const edges = await graph.read(EDGES, { prefix });
    expect(edges.map((edge) => `${edge.a} ${edge.b}`)).toEqual([`${prefix}1 ${prefix}2`, `${prefix}2 ${prefix}3`]);
    const [row] = await graph.read(COUNT, { prefix });
    expect(row).toEqual({ customers: 4, knows: 2 });
  });

  test('a re-run creates nothing new and says so', async () => {
    const prefix = `${uniquePrefix('rerun')}-`;
    const file = path.join(dir, 'rerun.edges');
    fs.writeFileSync(file, '1 2\n2 3\n3 3\n');
    expect(runImport(['--edges', file, '--prefix', prefix]).status).toBe(0);
    const again = runImport(['--edges', file, '--prefix', prefix]);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/created nothing new from \S+; 3 customers and 2 connections were already in the graph; skipped 1 self-loop, merged 0 duplicate edges/);
    const [row] = await graph.read(COUNT, { prefix });
    expect(row).toEqual({ customers: 3, knows: 2 });
  });

  test('a file that adds to an imported one creates only what is new', async () => {
    const prefix = `${uniquePrefix('more')}-`;
    const first = path.join(dir, 'first.edges');
    const second = path.join(dir, 'second.edges');
    fs.writeFileSync(first, '1 2\n');
    fs.writeFileSync(second, '2 1\n2 3\n');
    expect(runImport(['--edges', first, '--prefix', prefix]).status).toBe(0);
    const result = runImport(['--edges', second, '--prefix', prefix]);
    expect(result.stdout).toMatch(/created 1 customer and 1 connection \(KNOWS\) from \S+; 2 customers and 1 connection were already in the graph/);
    const [row] = await graph.read(COUNT, { prefix });
    expect(row).toEqual({ customers: 3, knows: 2 });
  });

  test('lines that cannot be read are reported with their line numbers and nothing is written', async () => {
    const prefix = `${uniquePrefix('bad')}-`;
    const file = path.join(dir, 'bad.edges');
    fs.writeFileSync(file, '1 2\n3\n4 4\n5 6 7\n8 9\n8 b@d!\n');
    const result = runImport(['--edges', file, '--prefix', prefix]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${file}:2: expected two ids, found 1 fields`);
    expect(result.stderr).toContain(`${file}:4: expected two ids, found 3 fields`);
    expect(result.stderr).toContain(`${file}:6: "8 b@d!" holds an id that is not`);
    expect(result.stderr).not.toContain(`${file}:3:`);
    expect(result.stderr).toMatch(/3 bad line\(s\) of 6; nothing was imported/);
    const [row] = await graph.read(COUNT, { prefix });
    expect(row.customers).toBe(0);
  });

  test('a usage error names the expected arguments', () => {
    const result = runImport(['--nonsense']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/usage: npm run import -- --edges FILE/);
  });
});

describe('npm run import -- --synthetic into a local store of its own', () => {
  // Synthetic ids (c1, c2, …) are not prefixed, so these runs use a local Neo4j in a scratch folder, never the
  // shared one: the first writes the new store with the import tool, the second goes through the driver.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'grapevine-synthetic-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  async function runSynthetic(args: string[]) {
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOCAL_NEO4J_BOLT_PORT: String(await freePort()), LOCAL_NEO4J_HEAP: '1g', LOCAL_REDIS_PORT: String(await freePort()) };
    delete env.NEO4J_URI;
    delete env.REDIS_URL;
    return spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/import.ts', ...args], { cwd: ROOT, env, encoding: 'utf8' });
  }

  test('the first run writes a new store with the import tool, and a re-run adds nothing twice', async () => {
    const args = ['--synthetic', '400', '--seed', '3', '--knows-per-customer', '6'];
    const first = await runSynthetic(args);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/into a new store with neo4j-admin database import: 400 customers, \d+ connections/);
    const connections = Number(/400 customers, (\d+) connections/.exec(first.stdout)![1]);
    expect(connections).toBeGreaterThan(5 * 400);
    expect(first.stdout).toContain(`the graph now holds 400 customers and ${connections} connections`);

    const again = await runSynthetic(args);
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/through the driver \(MERGE, so nothing is added twice\)/);
    expect(again.stdout).toContain(`the graph now holds 400 customers and ${connections} connections`);
  }, 900_000);
});
