import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { commandExists, isPortFree, ManagedProcess, startManagedProcess } from './processes';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const BUILD_DIR = path.join(PROJECT_ROOT, 'scripts', 'neo4j-local');
const TARGET = path.join(BUILD_DIR, 'target');
const STAMP = path.join(TARGET, 'grapevine-build.stamp');

// Neo4j 5 on Java 17 reflects into these JDK internals (page cache, Netty).
export const JVM_OPENS = ['java.base/java.nio', 'java.base/java.io', 'java.base/sun.nio.ch', 'java.base/java.lang', 'java.base/java.util'];

/** The local build's classes and jars: Neo4j, GDS, APOC and the import tool. */
export const LOCAL_NEO4J_CLASSPATH = `${path.join(TARGET, 'classes')}${path.delimiter}${path.join(TARGET, 'lib', '*')}`;

export interface LocalNeo4jOptions {
  homeDir: string;
  boltPort: number;
  heap: string;
  pageCacheMb?: number;
  log?: (message: string) => void;
}

export interface LocalNeo4j extends ManagedProcess {
  readonly uri: string;
}

function sourceHash(): string {
  const hash = crypto.createHash('sha256');
  hash.update(fs.readFileSync(path.join(BUILD_DIR, 'pom.xml')));
  const javaDir = path.join(BUILD_DIR, 'src', 'main', 'java', 'grapevine');
  for (const file of fs.readdirSync(javaDir).sort()) hash.update(fs.readFileSync(path.join(javaDir, file)));
  return hash.digest('hex');
}

/** Builds the Maven assembly once; later calls see the stamp and return at once. */
export function ensureLocalNeo4jBuilt(log: (message: string) => void = () => {}): void {
  const hash = sourceHash();
  if (fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8') === hash) return;
  if (!commandExists('java') || !commandExists('javac')) throw new Error('A Java 17+ JDK is needed to build and run the local Neo4j (apt-get install openjdk-17-jdk-headless), or set NEO4J_URI to an existing Neo4j.');
  if (!commandExists('mvn')) throw new Error('Maven is needed to assemble the local Neo4j from Maven Central (install maven), or set NEO4J_URI to an existing Neo4j.');
  log('assembling local Neo4j 5.26 + GDS + APOC from Maven Central (first run only)…');
  const build = spawnSync('mvn', ['-q', '-B', 'package', '-DskipTests'], { cwd: BUILD_DIR, encoding: 'utf8' });
  if (build.status !== 0) {
    throw new Error(`Maven build of the local Neo4j failed (exit ${build.status}):\n${(build.stdout + build.stderr).slice(-3000)}`);
  }
  fs.writeFileSync(STAMP, hash);
}

export async function startLocalNeo4j(options: LocalNeo4jOptions): Promise<LocalNeo4j> {
  const log = options.log ?? (() => {});
  ensureLocalNeo4jBuilt(log);
  if (!(await isPortFree(options.boltPort))) {
    throw new Error(`Port ${options.boltPort} on 127.0.0.1 is in use: set LOCAL_NEO4J_BOLT_PORT to a free port, or NEO4J_URI to use the Neo4j already there.`);
  }
  fs.mkdirSync(options.homeDir, { recursive: true });
  const args = [
    `-Xmx${options.heap}`,
    ...JVM_OPENS.map((module) => `--add-opens=${module}=ALL-UNNAMED`),
    '-Dio.netty.tryReflectionSetAccessible=true',
    '-cp',
    LOCAL_NEO4J_CLASSPATH,
    'grapevine.LocalNeo4j',
    path.resolve(options.homeDir),
    String(options.boltPort),
    path.join(TARGET, 'plugins'),
    String(options.pageCacheMb ?? 512),
  ];
  const process = await startManagedProcess({
    name: 'local Neo4j',
    command: 'java',
    args,
    logFile: path.join(options.homeDir, 'neo4j-console.log'),
    readyLine: /GRAPEVINE_NEO4J_READY/,
    timeoutMs: 180_000,
    watchesStdin: true,
  });
  return Object.assign(process, { uri: `bolt://127.0.0.1:${options.boltPort}` });
}
