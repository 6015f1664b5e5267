import { ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/local/processes';
import { requireEnv, uniquePrefix } from '../support/services';
import { CONNECT, UPSERT_ID } from '../support/builders';

// Two API processes (`tsx scripts/start.ts`, as a load balancer would run them) against one Neo4j and
// one Redis: what one process counts, writes or invalidates, the other sees.

const ROOT = path.resolve(__dirname, '..', '..');
const RATE_LIMIT = 40;
const newKey = (role: string) => `${role}-${crypto.randomBytes(12).toString('hex')}`;
const KEYS = { rate: newKey('service'), writer: newKey('admin'), shutdown: newKey('admin'), watcher: newKey('service') };

interface ApiProcess {
  name: string;
  url: string;
  child: ChildProcessByStdio<null, Readable, Readable>;
  output: () => string;
  exited: Promise<number | null>;
}

async function startApiProcess(name: string, dataDir: string): Promise<ApiProcess> {
  const port = await freePort();
  // As `npm start` runs it: one node process with tsx as a loader. The `tsx` command would put a parent
  // in front that turns SIGTERM into SIGKILL when the service does not confirm within 30 ms, as a busy one cannot.
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NEO4J_URI: requireEnv('NEO4J_URI'),
      REDIS_URL: requireEnv('REDIS_URL'),
      PORT: String(port),
      DATA_DIR: dataDir,
      DEMO_DATA: 'off',
      LOG_LEVEL: 'info',
      RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
      API_KEYS: `${KEYS.rate}:service,${KEYS.writer}:admin,${KEYS.shutdown}:admin,${KEYS.watcher}:service`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 90_000;
  while (!output.includes('Grapevine is up')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { name, url: `http://127.0.0.1:${port}/graphql`, child, output: () => output, exited };
}

async function post(api: ApiProcess, key: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response shapes vary per call
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
}

const SEPARATION = `
  query($from: ID!, $to: ID!) {
    degreesOfSeparation(from: $from, to: $to, via: [KNOWS]) {
      degrees
      path { id }
    }
  }
`;
const CUSTOMER = `
  query($id: ID!) {
    customer(id: $id) { id name }
  }
`;
const RECORD_EVENTS = `
  mutation($events: [EventInput!]!) {
    recordEvents(events: $events) { index }
  }
`;

describe('two API processes sharing one Neo4j and one Redis', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'grapevine-multi-'));
  let a: ApiProcess;
  let b: ApiProcess;

  beforeAll(async () => {
    [a, b] = await Promise.all([startApiProcess('A', dataDir), startApiProcess('B', dataDir)]);
  });

  afterAll(async () => {
    for (const api of [a, b]) {
      if (api && api.child.exitCode === null) {
        api.child.kill('SIGTERM');
        await api.exited;
      }
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('a key gets RATE_LIMIT_PER_MINUTE requests across both processes together, then 429 from either', async () => {
    // The budget is per fixed minute: start early in a window so that all requests fall into one.
    const secondsIntoMinute = (Date.now() / 1000) % 60;
    if (secondsIntoMinute > 40) await new Promise((resolve) => setTimeout(resolve, (61 - secondsIntoMinute) * 1000));
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT; i++) statuses.push((await post(i % 2 === 0 ? a : b, KEYS.rate, '{ serviceInfo { role } }')).status);
    expect(statuses).toEqual(Array(RATE_LIMIT).fill(200));
    for (const api of [a, b]) {
      const refused = await post(api, KEYS.rate, '{ serviceInfo { role } }');
      expect(refused.status).toBe(429);
      expect(refused.body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    }
  });

  test('a write through A is seen by a read through B, including an analytics answer B had cached', async () => {
    const prefix = uniquePrefix('multi');
    const [x, y] = [`${prefix}-x`, `${prefix}-y`];
    for (const id of [x, y]) expect((await post(a, KEYS.writer, UPSERT_ID, { input: { id, name: `before ${id}` } })).body.errors).toBeUndefined();

    expect((await post(b, KEYS.writer, CUSTOMER, { id: x })).body.data.customer).toEqual({ id: x, name: `before ${x}` });
    for (let i = 0; i < 2; i++) {
      // The second of these is answered from the analytics cache B filled with the first.
      expect((await post(b, KEYS.writer, SEPARATION, { from: x, to: y })).body.data.degreesOfSeparation).toEqual({ degrees: null, path: [] });
    }

    expect((await post(a, KEYS.writer, CONNECT, { input: { customerId: x, otherId: y, idempotencyKey: `${prefix}-connect` } })).body.errors).toBeUndefined();
    expect((await post(a, KEYS.writer, UPSERT_ID, { input: { id: x, name: `after ${x}` } })).body.errors).toBeUndefined();

    expect((await post(b, KEYS.writer, SEPARATION, { from: x, to: y })).body.data.degreesOfSeparation).toEqual({ degrees: 1, path: [{ id: x }, { id: y }] });
    expect((await post(b, KEYS.writer, CUSTOMER, { id: x })).body.data.customer).toEqual({ id: x, name: `after ${x}` });
  });

  test('SIGTERM to A while requests are in flight to it: every one completes, A exits 0, and B keeps serving', async () => {
    const prefix = uniquePrefix('drain');
    const batches = Array.from({ length: 4 }, (_, batch) => Array.from({ length: 800 }, (_, i) => `${prefix}-${batch}-${i}`));
    const inFlight = batches.map((ids) => post(a, KEYS.shutdown, RECORD_EVENTS, { events: ids.map((id) => ({ upsertCustomer: { id } })) }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    a.child.kill('SIGTERM');

    // B answers throughout A's shutdown.
    const duringShutdown: number[] = [];
    while (a.child.exitCode === null && duringShutdown.length < 30) {
      duringShutdown.push((await post(b, KEYS.watcher, '{ serviceInfo { role } }')).status);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const responses = await Promise.all(inFlight);
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data.recordEvents).toHaveLength(800);
    }
    expect(await a.exited).toBe(0);
    // The requests were still in flight when A began to shut down: some finished after it said so.
    const lines = a.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { msg: string; time: string; path?: string; status?: number });
    const shutdownAt = lines.find((line) => line.msg.startsWith('shutting down'))?.time;
    expect(shutdownAt).toBeDefined();
    const finishedAfter = lines.filter((line) => line.msg === 'request' && line.path === '/graphql' && line.time >= shutdownAt!);
    expect(finishedAfter.length).toBeGreaterThan(0);
    expect(finishedAfter.every((line) => line.status === 200)).toBe(true);
    expect(lines.map((line) => line.msg)).toContain('shutdown complete');

    expect(duringShutdown.every((status) => status === 200)).toBe(true);
    for (const ids of batches) {
      for (const id of [ids[0], ids[ids.length - 1]]) {
        expect((await post(b, KEYS.watcher, CUSTOMER, { id })).body.data.customer).toEqual({ id, name: null });
      }
    }
    await expect(fetch(a.url.replace('/graphql', '/healthz'))).rejects.toThrow();
  });
});
