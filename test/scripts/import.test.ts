import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cypher } from '../../graph/neo4j';
import { requireEnv, testGraph, uniquePrefix } from '../support/services';

const ROOT = path.resolve(__dirname, '..', '..');
const COUNT = cypher(
  'test.importCount',
  `OPTIONAL MATCH (c:Customer) WHERE c.id STARTS WITH $prefix
   WITH count(c) AS customers
   RETURN customers, COUNT { (a:Customer)-[:KNOWS]->(:Customer) WHERE a.id STARTS WITH $prefix } AS knows`,
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

  test('imports an edge list idempotently, with comments, and reports the final count', async () => {
    const prefix = `${uniquePrefix('edges')}-`;
    const file = path.join(dir, 'good.edges');
    fs.writeFileSync(file, '# a comment\n1 2\n2 3\n\n3\t1\n1 2\n');
    const first = runImport(['--edges', file, '--prefix', prefix]);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/imported 3 customers and 4 connections/);
    const again = runImport(['--edges', file, '--prefix', prefix]);
    expect(again.status).toBe(0);
    // The repeated "1 2" and a re-run both MERGE into the same three friendships.
    const [row] = await graph.read(COUNT, { prefix });
    expect(row).toEqual({ customers: 3, knows: 3 });
  });

  test('bad lines are reported with their line numbers and nothing is written', async () => {
    const prefix = `${uniquePrefix('bad')}-`;
    const file = path.join(dir, 'bad.edges');
    fs.writeFileSync(file, '1 2\n3\n4 4\n5 6 7\n8 9\n');
    const result = runImport(['--edges', file, '--prefix', prefix]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${file}:2: expected two ids, found 1 fields`);
    expect(result.stderr).toContain(`${file}:3: "4" cannot be connected to itself`);
    expect(result.stderr).toContain(`${file}:4: expected two ids, found 3 fields`);
    expect(result.stderr).toMatch(/3 bad line\(s\) of 5; nothing was imported/);
    const [row] = await graph.read(COUNT, { prefix });
    expect(row.customers).toBe(0);
  });

  test('a usage error names the expected arguments', () => {
    const result = runImport(['--nonsense']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/usage: npm run import -- --edges FILE/);
  });
});
