import fs from 'node:fs';
import path from 'node:path';
import { commandExists, isPortFree, ManagedProcess, startManagedProcess } from './processes';

export interface LocalRedis extends ManagedProcess {
  readonly url: string;
}

export function redisServerInstalled(): boolean {
  return commandExists('redis-server');
}

/** Redis holds only caches and rate-limit counters here, so it runs without persistence. */
export async function startLocalRedis(port: number, dir: string): Promise<LocalRedis> {
  if (!redisServerInstalled()) {
    throw new Error('redis-server is not installed (apt-get install redis-server), and REDIS_URL is not set.');
  }
  if (!(await isPortFree(port))) {
    throw new Error(`Port ${port} on 127.0.0.1 is in use: set LOCAL_REDIS_PORT to a free port, or REDIS_URL to use the Redis already there.`);
  }
  fs.mkdirSync(dir, { recursive: true });
  const process = await startManagedProcess({
    name: 'local Redis',
    command: 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', '--dir', path.resolve(dir), '--save', '', '--appendonly', 'no'],
    logFile: path.join(dir, 'redis.log'),
    readyLine: /Ready to accept connections/,
    timeoutMs: 30_000,
  });
  return Object.assign(process, { url: `redis://127.0.0.1:${port}` });
}
