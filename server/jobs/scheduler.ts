import crypto from 'node:crypto';
import os from 'node:os';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../logger';

/**
 * Background work in the API processes. Every process schedules the same jobs; a Redis lock with a
 * lease makes each job run in one process at a time: the owner renews the lease while the job runs,
 * and when it dies the lease runs out and the next process to tick takes the job over. A job records
 * when it last finished in Redis, so any process (and answers built from the job) can tell its age.
 *
 * Invariant: the lock is only ever extended or released by the process whose id it holds (compare
 * and act in one Lua script), so a process that lost its lease never frees someone else's lock.
 */
export interface JobSpec {
  /** Names the Redis keys: `grapevine:job:<name>:lock` and `grapevine:job:<name>:lastFinishedAt`. */
  name: string;
  /** How often each process tries to take the job. */
  everyMs: number;
  /** How long the lock lasts without renewal: the longest a dead owner delays a takeover. */
  leaseMs: number;
  /** The signal aborts on shutdown and when the lease is lost: a long job stops between steps. */
  run(signal: AbortSignal): Promise<void>;
}

export const jobLockKey = (name: string) => `grapevine:job:${name}:lock`;
export const jobLastFinishedKey = (name: string) => `grapevine:job:${name}:lastFinishedAt`;

const RENEW_IF_OWNER = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_IF_OWNER = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** When a job last finished (epoch ms), or null when it never has. */
export async function jobLastFinishedAt(redis: Redis | Cluster, name: string): Promise<number | null> {
  const value = await redis.get(jobLastFinishedKey(name));
  return value === null ? null : Number(value);
}

export class JobScheduler {
  private readonly jobs: JobSpec[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  /** Without Redis, when each job last finished in this process. */
  private readonly finishedHere = new Map<string, number>();
  private started = false;
  private stopped = false;

  constructor(
    /** Null when the service runs without Redis: one process, so it takes every lock itself. */
    private readonly redis: Redis | Cluster | null,
    private readonly log: Logger,
    readonly processId = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`,
  ) {}

  scheduleJob(job: JobSpec): void {
    if (job.leaseMs < 3 || job.everyMs < 1) throw new Error(`job ${job.name}: everyMs and leaseMs must be positive`);
    this.jobs.push(job);
    if (this.started) this.arm(job, 0);
  }

  /** Starts ticking; the first tick of each job comes right away. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    for (const job of this.jobs) this.arm(job, 0);
  }

  /** No new runs; waits for the runs under way to finish and release their locks. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }

  /** When the job last finished in any process (epoch ms), or null when it never has. */
  async lastFinishedAt(name: string): Promise<number | null> {
    return this.redis ? jobLastFinishedAt(this.redis, name) : (this.finishedHere.get(name) ?? null);
  }

  // The next tick is armed after this one ends, so ticks of one job never overlap in a process.
  private arm(job: JobSpec, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      const tick = this.tick(job).finally(() => {
        this.running.delete(tick);
        this.arm(job, job.everyMs);
      });
      this.running.add(tick);
    }, delayMs);
    timer.unref();
    this.timers.set(job.name, timer);
  }

  private async tick(job: JobSpec): Promise<void> {
    let acquired: boolean;
    try {
      acquired = await this.acquire(job);
    } catch (error) {
      // Redis unreachable: skip quietly; the next tick tries again.
      this.log.debug({ job: job.name, err: error }, 'job skipped: Redis unreachable');
      return;
    }
    if (!acquired) return;
    const leaseLost = new AbortController();
    const renewal = setInterval(() => void this.renew(job, leaseLost), Math.max(1, Math.floor(job.leaseMs / 3)));
    renewal.unref();
    try {
      await job.run(AbortSignal.any([this.stopping.signal, leaseLost.signal]));
      const finishedAt = Date.now();
      if (this.redis) await this.redis.set(jobLastFinishedKey(job.name), String(finishedAt));
      else this.finishedHere.set(job.name, finishedAt);
    } catch (error) {
      this.log.error({ job: job.name, err: error }, 'job failed');
    } finally {
      clearInterval(renewal);
      await this.release(job).catch(() => {});
    }
  }

  private async acquire(job: JobSpec): Promise<boolean> {
    if (!this.redis) return true;
    return (await this.redis.set(jobLockKey(job.name), this.processId, 'PX', job.leaseMs, 'NX')) === 'OK';
  }

  private async renew(job: JobSpec, leaseLost: AbortController): Promise<void> {
    if (!this.redis || leaseLost.signal.aborted) return;
    try {
      const renewed = await this.redis.eval(RENEW_IF_OWNER, 1, jobLockKey(job.name), this.processId, String(job.leaseMs));
      if (renewed !== 1) {
        this.log.warn({ job: job.name }, 'job lease lost while running: stopping it, another process may take it over');
        leaseLost.abort();
      }
    } catch (error) {
      this.log.debug({ job: job.name, err: error }, 'job lease not renewed: Redis unreachable');
    }
  }

  private async release(job: JobSpec): Promise<void> {
    if (this.redis) await this.redis.eval(RELEASE_IF_OWNER, 1, jobLockKey(job.name), this.processId);
  }
}
