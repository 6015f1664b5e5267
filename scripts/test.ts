import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildDashboard } from './buildDashboard';
import { scratchServices, ScratchServices } from './local/scratch';

// `npm test`: type-checks, then runs the whole jest suite against a real Neo4j and a real Redis,
// started here on free ports in a scratch folder unless NEO4J_URI / REDIS_URL name existing ones.

const ROOT = path.resolve(__dirname, '..');
const say = (message: string) => process.stdout.write(`[test] ${message}\n`);

async function main(): Promise<number> {
  say('type-checking (tsc --noEmit)…');
  const typecheck = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', ROOT], { stdio: 'inherit' });
  if (typecheck.status !== 0) return typecheck.status ?? 1;
  // The dashboard is browser code with its own settings (DOM, JSX): checked with its own tsconfig, then built
  // for the tests in test/dashboard, which drive it in Chromium.
  say('type-checking the dashboard (tsc --noEmit -p server/dashboard)…');
  const dashboardCheck = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', path.join(ROOT, 'server', 'dashboard')], { stdio: 'inherit' });
  if (dashboardCheck.status !== 0) return dashboardCheck.status ?? 1;
  if (!buildDashboard(say)) say('dashboard build up to date');

  // Two pairs: the shared one every test keys its data in, and an exclusive one that tests of whole-graph answers
  // wipe and use alone (test/support/exclusive.ts). They start side by side.
  const started = await Promise.allSettled([
    scratchServices(path.join(ROOT, '.test-data', `run-${process.pid}`), { heap: '3g', pageCacheMb: 1024, say }),
    process.env.NEO4J_EXCLUSIVE_URI && process.env.REDIS_EXCLUSIVE_URL
      ? { neo4jUri: process.env.NEO4J_EXCLUSIVE_URI, redisUrl: process.env.REDIS_EXCLUSIVE_URL, stop: async () => {} }
      : scratchServices(path.join(ROOT, '.test-data', `exclusive-${process.pid}`), { heap: '1g', pageCacheMb: 256, say, ignoreGivenUris: true }),
  ]);
  const failed = started.find((outcome) => outcome.status === 'rejected');
  if (failed) {
    // Stop whichever pair did start before reporting the one that did not.
    await Promise.all(started.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.stop() : undefined)));
    throw failed.reason;
  }
  const [services, exclusive] = started.map((outcome) => (outcome as PromiseFulfilledResult<ScratchServices>).value);
  try {
    const env = {
      ...process.env,
      NEO4J_URI: services.neo4jUri,
      REDIS_URL: services.redisUrl,
      NEO4J_EXCLUSIVE_URI: exclusive.neo4jUri,
      REDIS_EXCLUSIVE_URL: exclusive.redisUrl,
      // Every API process a test starts (in jest or as a child) shares one webhook queue and event stream, so any
      // of them may deliver a test's webhook: all of them must be allowed to reach the tests' local receivers,
      // and retry soon enough for a test to see it.
      WEBHOOK_ALLOW_HOSTS: process.env.WEBHOOK_ALLOW_HOSTS ?? '127.0.0.1',
      WEBHOOK_RETRY_BASE_MS: process.env.WEBHOOK_RETRY_BASE_MS ?? '300',
      WEBHOOK_RETRY_MAX_MS: process.env.WEBHOOK_RETRY_MAX_MS ?? '2000',
    };
    const resultsFile = path.join(ROOT, '.test-data', `jest-results-${process.pid}.json`);
    // With NEO4J_URI and REDIS_URL given, nothing else has made the folder.
    fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
    const jestArgs = [...process.argv.slice(2), '--json', `--outputFile=${resultsFile}`];
    const jest = spawn(path.join(ROOT, 'node_modules', '.bin', 'jest'), jestArgs, { stdio: 'inherit', env, cwd: ROOT });
    const exited = new Promise<number>((resolve) => jest.once('exit', (exitCode) => resolve(exitCode ?? 1)));
    const hung = await stopIfHungAfterResults(jest, exited, resultsFile);
    const code = await exited;
    if (!fs.existsSync(resultsFile)) return code;
    // One plain closing line that any CI can read, whatever reporter jest used.
    const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as JestResults;
    fs.rmSync(resultsFile);
    process.stdout.write(`\n${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped\n`);
    // A jest stopped for hanging has no exit code of its own: the run's verdict is what it wrote.
    return hung ? (results.success ? 0 : 1) : code;
  } finally {
    await Promise.all([services.stop(), exclusive.stop()]);
  }
}

interface JestResults {
  success: boolean;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
}

/** How long jest may take to exit once it has written its results. */
const EXIT_GRACE_MS = 60_000;
const RESULTS_POLL_MS = 1_000;

/**
 * Jest waits for every open handle before it exits; a test that leaves a connection open would hold `npm test` until
 * CI's own time limit. Once the results are written, jest gets EXIT_GRACE_MS to exit and is then stopped, saying so.
 * Resolves true if it had to be stopped.
 */
async function stopIfHungAfterResults(jest: ChildProcess, exited: Promise<number>, resultsFile: string): Promise<boolean> {
  let done = false;
  void exited.then(() => (done = true));
  while (!done && !fs.existsSync(resultsFile)) await sleep(RESULTS_POLL_MS);
  const deadline = Date.now() + EXIT_GRACE_MS;
  while (!done && Date.now() < deadline) await sleep(RESULTS_POLL_MS);
  if (done) return false;
  say(`jest had not exited ${EXIT_GRACE_MS / 1000} s after writing its results (a test left a handle open): stopping it`);
  jest.kill('SIGKILL');
  return true;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`[test] ${error.message}\n`);
    process.exit(1);
  },
);
