import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/local/processes';
import { requireEnv, testGraph, uniquePrefix } from '../support/services';

const ROOT = path.resolve(__dirname, '..', '..');
/**
 * Exactly what `npm start` runs. Not the `tsx` CLI: it relays SIGTERM to a child process and SIGKILLs that child
 * when it has not acknowledged the signal within 30 ms, which a service busy with a request can fail to do.
 */
const START_ARGS = ['--import', 'tsx', 'scripts/start.ts'];

describe('npm start against an existing Neo4j and Redis', () => {
  test('generates and prints an admin key, serves requests, and on SIGTERM finishes in-flight work before exiting 0', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'grapevine-start-'));
    const port = await freePort();
    const child = spawn(process.execPath, START_ARGS, {
      cwd: ROOT,
      env: { ...process.env, NEO4J_URI: requireEnv('NEO4J_URI'), REDIS_URL: requireEnv('REDIS_URL'), PORT: String(port), DATA_DIR: dataDir, DEMO_DATA: 'off', API_KEYS: '', LOG_LEVEL: 'debug' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      while (!output.includes('Grapevine is up') && Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`start exited early:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(output).toContain(`http://localhost:${port}/graphql`);
      const adminKey = fs.readFileSync(path.join(dataDir, 'admin-api-key'), 'utf8').trim();
      expect(output).toContain(adminKey);
      // npm start built the dashboard and serves it at /.
      const dashboard = await fetch(`http://127.0.0.1:${port}/`, { headers: { accept: 'text/html' } });
      expect(dashboard.status).toBe(200);
      expect(await dashboard.text()).toContain('<title>Grapevine dashboard</title>');

      const prefix = uniquePrefix('shutdown');
      const events = Array.from({ length: 1000 }, (_, i) => ({ upsertCustomer: { id: `${prefix}-${i}` } }));
      const inFlight = fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}`, 'x-request-id': prefix },
        body: JSON.stringify({ query: `
          mutation($events: [EventInput!]!) {
            recordEvents(events: $events) { index }
          }
        `, variables: { events } }),
      });
      // Signal only once the server has the request: a connection it has not read yet is not in flight.
      const received = Date.now() + 30_000;
      const requestArrived = () => output.split('\n').some((line) => line.includes(prefix) && line.includes('request received'));
      while (!requestArrived() && Date.now() < received) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      child.kill('SIGTERM');
      const response = await inFlight;
      expect(response.status).toBe(200);
      const body = (await response.json()) as { data: { recordEvents: unknown[] } };
      expect(body.data.recordEvents).toHaveLength(1000);

      expect(await exited).toBe(0);
      expect(output).toMatch(/shutting down[\s\S]*requests drained[\s\S]*shutdown complete/);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
      // It stopped only what it started: the Neo4j it was given still answers.
      const graph = testGraph();
      await graph.ping();
      await graph.close();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('refuses to start with a message naming a bad variable', async () => {
    const child = spawn(process.execPath, START_ARGS, {
      cwd: ROOT,
      env: { ...process.env, PORT: 'not-a-port' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(output).toMatch(/Invalid configuration:\s+PORT: PORT must be a port number/);
  });
});
