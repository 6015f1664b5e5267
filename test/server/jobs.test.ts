import Redis from 'ioredis';
import { createLogger } from '../../server/logger';
import { jobLastFinishedAt, jobLockKey, JobScheduler } from '../../server/jobs/scheduler';
import { requireEnv, uniquePrefix } from '../support/services';

const log = createLogger('silent');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition` holds, checking every few milliseconds; fails the test after `limitMs`. */
async function eventually(condition: () => boolean | Promise<boolean>, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await sleep(10);
  }
}

describe('background jobs under a Redis lease', () => {
  let redis: Redis;
  const schedulers: JobScheduler[] = [];
  const clients: Redis[] = [];

  beforeAll(() => {
    redis = new Redis(requireEnv('REDIS_URL'));
  });

  afterEach(async () => {
    await Promise.all(schedulers.splice(0).map((scheduler) => scheduler.stop()));
    await Promise.all(clients.splice(0).map((client) => client.quit()));
  });

  afterAll(async () => {
    await redis.quit();
  });

  const scheduler = (processId: string) => {
    // Each scheduler has its own connection, as each API process would.
    const client = new Redis(requireEnv('REDIS_URL'));
    clients.push(client);
    const created = new JobScheduler(client, log, processId);
    schedulers.push(created);
    return created;
  };

  it('runs a job in one process at a time when two processes schedule it', async () => {
    const name = uniquePrefix('job-once');
    let running = 0;
    let mostAtOnce = 0;
    const runsBy = new Map<string, number>();
    const job = (owner: string) => ({
      name,
      everyMs: 1,
      leaseMs: 5_000,
      async run() {
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        await sleep(5);
        running--;
        runsBy.set(owner, (runsBy.get(owner) ?? 0) + 1);
      },
    });
    const [a, b] = [scheduler(`${name}-a`), scheduler(`${name}-b`)];
    a.scheduleJob(job('a'));
    b.scheduleJob(job('b'));
    a.start();
    b.start();
    await eventually(() => (runsBy.get('a') ?? 0) + (runsBy.get('b') ?? 0) >= 40);
    expect(mostAtOnce).toBe(1);
  });

  it('takes over a job whose owner died once the dead owner’s lease runs out', async () => {
    const name = uniquePrefix('job-takeover');
    // A process that took the lock and died: nobody renews or releases it.
    await redis.set(jobLockKey(name), 'dead-process', 'PX', 300);
    let runs = 0;
    const survivor = scheduler(`${name}-survivor`);
    survivor.scheduleJob({ name, everyMs: 20, leaseMs: 5_000, run: async () => void runs++ });
    survivor.start();
    // While the dead owner's lease lasts, the survivor keeps off.
    expect(runs).toBe(0);
    expect(await redis.get(jobLockKey(name))).toBe('dead-process');
    await eventually(() => runs > 0);
    expect(await redis.get(jobLockKey(name))).not.toBe('dead-process');
  });

  it('does not run a job while a live owner holds its lease', async () => {
    const name = uniquePrefix('job-held');
    await redis.set(jobLockKey(name), 'live-process', 'PX', 60_000);
    let runs = 0;
    const other = scheduler(`${name}-other`);
    other.scheduleJob({ name, everyMs: 5, leaseMs: 5_000, run: async () => void runs++ });
    other.start();
    // Let it tick many times, then let the live owner finish and release.
    await sleep(200);
    expect(runs).toBe(0);
    await redis.del(jobLockKey(name));
    await eventually(() => runs > 0);
  });

  it('renews the lease of a job that runs longer than the lease, so nobody else starts it meanwhile', async () => {
    const name = uniquePrefix('job-renew');
    let release!: () => void;
    const finish = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const long = { name, everyMs: 5, leaseMs: 150, run: async () => { started++; await finish; } };
    const [a, b] = [scheduler(`${name}-a`), scheduler(`${name}-b`)];
    a.scheduleJob(long);
    a.start();
    await eventually(() => started === 1);
    b.scheduleJob(long);
    b.start();
    // Several lease lengths pass while the first run holds on.
    await sleep(600);
    expect(started).toBe(1);
    release();
  });

  it('records when a job last finished, and releases its lock after the run', async () => {
    const name = uniquePrefix('job-finished');
    const before = Date.now();
    let runs = 0;
    const only = scheduler(`${name}-only`);
    only.scheduleJob({ name, everyMs: 60_000, leaseMs: 5_000, run: async () => void runs++ });
    only.start();
    await eventually(async () => (await jobLastFinishedAt(redis, name)) !== null);
    expect(runs).toBe(1);
    expect(await jobLastFinishedAt(redis, name)).toBeGreaterThanOrEqual(before);
    expect(await only.lastFinishedAt(name)).toBeGreaterThanOrEqual(before);
    expect(await redis.get(jobLockKey(name))).toBeNull();
  });

  it('skips quietly while Redis is unreachable and stops cleanly', async () => {
    // Nothing listens on port 1: every command fails, as with Redis down.
    const unreachable = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 100 });
    unreachable.on('error', () => {});
    const name = uniquePrefix('job-no-redis');
    let runs = 0;
    const lonely = new JobScheduler(unreachable, log, `${name}-p`);
    lonely.scheduleJob({ name, everyMs: 5, leaseMs: 5_000, run: async () => void runs++ });
    lonely.start();
    await sleep(100);
    await lonely.stop();
    expect(runs).toBe(0);
    unreachable.disconnect();
  });
});
