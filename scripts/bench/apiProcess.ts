import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../local/processes';

const ROOT = path.resolve(__dirname, '..', '..');

// The API in a process of its own, started as `npm start` starts it (`node --import tsx scripts/start.ts`), so that a
// benchmark's client does not share the server's event loop: with both in one process, every request's client-side
// work (serialising, parsing the answer, the timers) is paid on the server's thread and counted in its latency.

export interface ApiProcess {
  port: number;
  pid: number;
  /** The API's stdout and stderr (its JSON log lines), in a file rather than a pipe the bench would have to read. */
  logFile: string;
  /** SIGTERM (the service drains and exits), SIGKILL after 15 s; then the CPU profile, if asked for, is on disk. */
  stop(): Promise<void>;
}

export interface ApiProcessOptions {
  /** Environment for the service (NEO4J_URI, REDIS_URL, API_KEYS, …), over the bench's own. */
  env: Record<string, string>;
  /** Folder for a V8 CPU profile of the whole process life (`node --cpu-prof`), written when it exits. */
  cpuProfileDir?: string;
  scratch: string;
  /** The checkout whose scripts/start.ts runs: this one unless given (an older commit, to compare against). */
  root?: string;
}

export async function startApiProcess(options: ApiProcessOptions): Promise<ApiProcess> {
  const port = await freePort();
  fs.mkdirSync(options.scratch, { recursive: true });
  const logFile = path.join(options.scratch, `api-${port}.log`);
  const out = fs.openSync(logFile, 'w');
  const profiling = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const root = options.root ?? ROOT;
  const child: ChildProcess = spawn(process.execPath, [...profiling, '--import', 'tsx', path.join(root, 'scripts', 'start.ts')], {
    cwd: root,
    // NODE_OPTIONS of the bench (a larger heap) are not the service's.
    env: { ...process.env, NODE_OPTIONS: '', ...options.env, PORT: String(port) },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const kill = () => child.kill('SIGKILL');
  process.on('exit', kill);
  const output = () => fs.readFileSync(logFile, 'utf8');
  const deadline = Date.now() + 120_000;
  while (!output().includes('Grapevine is up')) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode} before it was up:\n${output().slice(-5000)}`);
    if (Date.now() > deadline) {
      kill();
      throw new Error(`the API was not up after 120 s:\n${output().slice(-5000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    port,
    pid: child.pid!,
    logFile,
    async stop() {
      process.off('exit', kill);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(kill, 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
