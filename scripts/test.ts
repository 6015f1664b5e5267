import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startLocalNeo4j, LocalNeo4j } from '../graph/local/localNeo4j';
import { freePort } from './local/processes';
import { LocalRedis, startLocalRedis } from './local/redis';

// `npm test`: type-checks, then runs the whole jest suite against a real Neo4j and a real Redis,
// started here on free ports in a scratch folder unless NEO4J_URI / REDIS_URL name existing ones.

const ROOT = path.resolve(__dirname, '..');
const say = (message: string) => process.stdout.write(`[test] ${message}\n`);

async function main(): Promise<number> {
  say('type-checking (tsc --noEmit)…');
  const typecheck = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', ROOT], { stdio: 'inherit' });
  if (typecheck.status !== 0) return typecheck.status ?? 1;

  const scratch = path.join(ROOT, '.test-data', `run-${process.pid}`);
  const started: Array<LocalNeo4j | LocalRedis> = [];
  const env = { ...process.env };
  try {
    if (!env.NEO4J_URI) {
      const t0 = Date.now();
      const neo4j = await startLocalNeo4j({ homeDir: path.join(scratch, 'neo4j'), boltPort: await freePort(), heap: '3g', pageCacheMb: 1024, log: say });
      started.push(neo4j);
      env.NEO4J_URI = neo4j.uri;
      say(`local Neo4j ready at ${neo4j.uri} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    }
    if (!env.REDIS_URL) {
      const redis = await startLocalRedis(await freePort(), path.join(scratch, 'redis'));
      started.push(redis);
      env.REDIS_URL = redis.url;
      say(`local Redis ready at ${redis.url}`);
    }
    const resultsFile = path.join(scratch, 'jest-results.json');
    const jestArgs = [...process.argv.slice(2), '--json', `--outputFile=${resultsFile}`];
    const jest = spawn(path.join(ROOT, 'node_modules', '.bin', 'jest'), jestArgs, { stdio: 'inherit', env, cwd: ROOT });
    const code = await new Promise<number>((resolve) => jest.once('exit', (exitCode) => resolve(exitCode ?? 1)));
    if (fs.existsSync(resultsFile)) {
      // One plain closing line that any CI can read, whatever reporter jest used.
      const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number };
      process.stdout.write(`\n${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped\n`);
    }
    return code;
  } finally {
    for (const service of started.reverse()) await service.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`[test] ${error.message}\n`);
    process.exit(1);
  },
);
