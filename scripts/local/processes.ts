import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/** A child process this project started, and the only kind of process it ever stops. */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

// The ports this process has handed out: none is handed out twice, so a server's port and its metrics port (say)
// never collide.
const handedOut = new Set<number>();

/**
 * Where free ports are looked for: below the kernel's ephemeral range. A port from that range (what `listen(0)`
 * gives) can be taken between the probe and the real listen by the local end of any outgoing connection (a driver
 * opening a connection to Neo4j, say), and the listen then fails with EADDRINUSE.
 */
function quietPortRange(): { from: number; to: number } | undefined {
  try {
    const [ephemeralLow] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return ephemeralLow > 11_000 ? { from: 10_000, to: ephemeralLow - 1 } : undefined;
  } catch {
    return undefined;
  }
}

/** A port free on 127.0.0.1 now, not handed out before by this process. */
export async function freePort(): Promise<number> {
  const range = quietPortRange();
  for (let attempt = 0; ; attempt++) {
    const port = range && attempt < 100 ? range.from + Math.floor(Math.random() * (range.to - range.from + 1)) : await probeFreePort();
    if (handedOut.has(port) || !(await isPortFree(port))) continue;
    handedOut.add(port);
    return port;
  }
}

function probeFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  /** Resolves once the process printed this, or rejects when it exits first or the time runs out. */
  readyLine: RegExp;
  timeoutMs: number;
  cwd?: string;
  /** True when the program itself exits once its standard input closes. */
  watchesStdin?: boolean;
}

// Runs a program that knows nothing of lifelines (redis-server) so that it too ends when our stdin closes.
// (A background job's stdin is /dev/null unless redirected, hence the copy on descriptor 3.)
const LIFELINE_WRAPPER = `exec 3<&0
"$@" </dev/null & child=$!
trap 'kill -TERM $child 2>/dev/null' TERM INT
( cat <&3 >/dev/null; kill -TERM $child 2>/dev/null ) &
wait $child; status=$?
wait $child 2>/dev/null
exit $status`;

/**
 * Starts a child whose stdin stays open as a lifeline: if this process dies without cleaning up,
 * the pipe closes and the child exits (LocalNeo4j watches stdin itself; other programs get a small
 * shell wrapper that does). Output goes to a log file; resolves once the ready line is printed.
 */
export async function startManagedProcess(options: StartOptions): Promise<ManagedProcess> {
  const log = fs.createWriteStream(options.logFile, { flags: 'a' });
  const [command, args] = options.watchesStdin
    ? [options.command, options.args]
    : ['sh', ['-c', LIFELINE_WRAPPER, 'lifeline', options.command, ...options.args]];
  const child = spawn(command, args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let exited = false;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      // However it ended (stopped, killed, crashed): the lifeline's reader in the wrapper ends with it.
      child.stdin?.destroy();
      resolve();
    }),
  );
  // 'close' comes after the last output, so nothing is written to the log after it ends.
  child.once('close', () => log.end());

  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.name} did not become ready within ${options.timeoutMs / 1000}s; see ${options.logFile}`));
    }, options.timeoutMs);
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      seen = (seen + chunk.toString()).slice(-4096);
      if (options.readyLine.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} could not be started (${options.command}): ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited before it was ready (code ${code ?? signal}); last output:\n${seen.slice(-1500)}`));
    });
  });

  return {
    name: options.name,
    child,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exitPromise;
      clearTimeout(killTimer);
    },
  };
}
