import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../scripts/local/processes';
import { key, REVIEW, UPSERT_ID } from '../../support/builders';
import { API_KEYS, LIVE_TEST_SETTINGS, LiveApi, post, startLiveApi, subscribe, untilSubscribed } from '../../support/live';
import { KEYS, requireEnv, uniquePrefix } from '../../support/services';

// A subscriber connected to one API process receives the events of writes that went through another:
// process A runs in this test (so the test can see when its subscription is active), process B is a child
// started as `npm start` starts the service, both on the shared Neo4j and Redis.

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..', '..', '..');

async function startChild(dataDir: string) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...LIVE_TEST_SETTINGS, LOG_LEVEL: 'info', NEO4J_URI: requireEnv('NEO4J_URI'), REDIS_URL: requireEnv('REDIS_URL'), PORT: String(port), DATA_DIR: dataDir, API_KEYS },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 90_000;
  while (!output.includes('Grapevine is up')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`process B did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

let a: LiveApi | undefined;
let b: Awaited<ReturnType<typeof startChild>> | undefined;
let dataDir = '';

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'grapevine-live-'));
  [a, b] = await Promise.all([startLiveApi(), startChild(dataDir)]);
});

afterAll(async () => {
  await b?.stop();
  await a?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('a subscriber on process A receives the events of a write made through process B', async () => {
  const customerId = uniquePrefix('live-multi');
  const subscription = subscribe(a!.wsUrl, `Bearer ${KEYS.marketer}`, `subscription($root: ID!) { chainActivity(rootCustomerId: $root) { id type customerId productId } }`, { root: customerId });
  try {
    await untilSubscribed(a!.running, 1);
    const upsert = await post(b!.url, KEYS.service, UPSERT_ID, { input: { id: customerId } });
    expect(upsert.errors).toBeUndefined();
    const written = await post(b!.url, KEYS.service, REVIEW, { input: { customerId, productId: `${customerId}-p`, rating: 5, idempotencyKey: key('multi') } });
    expect(written.errors).toBeUndefined();

    const [event] = await subscription.waitFor(1);
    expect(event.data?.chainActivity).toMatchObject({ type: 'REVIEW_POSTED', customerId, productId: `${customerId}-p` });
  } finally {
    subscription.dispose();
  }
});
