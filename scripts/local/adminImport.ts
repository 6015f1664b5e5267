import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureLocalNeo4jBuilt, LOCAL_NEO4J_CLASSPATH, JVM_OPENS } from './localNeo4j';
import { ImportCsvFiles } from '../syntheticCsv';

// `neo4j-admin database import full` into the local Neo4j's store, run from the jars of the local build
// (org.neo4j:neo4j-import-tool is on its classpath). The tool writes a store directly, with no transactions:
// an order of magnitude faster than Cypher for millions of rows, but only into a database that does not exist yet.

const DATABASE = 'neo4j';

const databaseDir = (homeDir: string) => path.join(homeDir, 'data', 'databases', DATABASE);
const transactionsDir = (homeDir: string) => path.join(homeDir, 'data', 'transactions', DATABASE);

/**
 * The tool prints a line of dots per 5% of each stage, sometimes many within a second: stage names, the
 * summary and a stage's last line go through, other progress lines at most once a second.
 */
function throttledToolOutput(out: NodeJS.WritableStream, intervalMs = 1000): (line: string) => void {
  let lastProgress = 0;
  return (line) => {
    const progress = /^[-.\s]*\d+% /.exec(line);
    if (progress && !/ 100% /.test(line)) {
      if (Date.now() - lastProgress < intervalMs) return;
      lastProgress = Date.now();
    }
    if (line.trim() !== '') out.write(`  ${line.trimEnd()}\n`);
  };
}

/** The local store holds no database yet: the only case where the import tool may write it. */
export function localStoreIsFresh(homeDir: string): boolean {
  return !fs.existsSync(databaseDir(homeDir));
}

/**
 * Imports the CSV files into a staging home next to `homeDir`, then moves the new database into place, the
 * database folder last: an interrupted import leaves no half-written store behind, only the staging folder,
 * which the next run removes. Progress lines of the tool go to `out` (a line per 5%, not per row).
 */
export async function adminImport(homeDir: string, files: ImportCsvFiles, options: { heap: string; out: NodeJS.WritableStream }): Promise<void> {
  if (!localStoreIsFresh(homeDir)) throw new Error(`${databaseDir(homeDir)} exists: the import tool only writes a new database`);
  ensureLocalNeo4jBuilt();
  const staging = `${homeDir}-import-staging`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const args = [
    `-Xmx${options.heap}`,
    ...JVM_OPENS.map((module) => `--add-opens=${module}=ALL-UNNAMED`),
    '-cp',
    LOCAL_NEO4J_CLASSPATH,
    'org.neo4j.cli.AdminTool',
    'database',
    'import',
    'full',
    DATABASE,
    ...files.nodes.map((node) => `--nodes=${node.label}=${node.file}`),
    ...files.relationships.map((relationship) => `--relationships=${relationship.type}=${relationship.file}`),
    // The tool writes its report of skipped rows to ./import.report unless told where: keep it with the staging files.
    `--report-file=${staging}/import.report`,
  ];
  const output: string[] = [];
  const forwardLine = throttledToolOutput(options.out);
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('java', args, { env: { ...process.env, NEO4J_HOME: staging }, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    const forward = (chunk: Buffer) => {
      output.push(chunk.toString());
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      lines.forEach(forwardLine);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`neo4j-admin database import failed (exit ${code}):\n${output.join('').slice(-3000)}`);
  // Something (an `npm start`) may have created the database while the tool ran: then leave both alone.
  if (!localStoreIsFresh(homeDir)) throw new Error(`${databaseDir(homeDir)} appeared while the import ran; the imported store is left in ${staging}`);
  fs.mkdirSync(path.dirname(transactionsDir(homeDir)), { recursive: true });
  fs.mkdirSync(path.dirname(databaseDir(homeDir)), { recursive: true });
  fs.rmSync(transactionsDir(homeDir), { recursive: true, force: true });
  fs.renameSync(transactionsDir(staging), transactionsDir(homeDir));
  fs.renameSync(databaseDir(staging), databaseDir(homeDir));
  fs.rmSync(staging, { recursive: true, force: true });
}
