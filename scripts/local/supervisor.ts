import type { ManagedProcess } from './processes';

export interface SupervisorOptions {
  /** The wait before the first restart; it doubles after each failed or short-lived run. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** A run that lasted this long was healthy: the next crash starts again from the initial delay. */
  stableAfterMs?: number;
  say: (message: string) => void;
}

/** A child kept running: started again (same port, same folder) whenever it exits without being asked to. */
export interface Supervised<P extends ManagedProcess> {
  readonly name: string;
  /** The child running now (or the last one, while a restart is under way). */
  readonly current: P;
  /** How many times the child was started again after an unexpected exit. */
  readonly restarts: number;
  /** Resolves once a child started after `restarts` restarts in total is up. */
  restarted(count: number): Promise<P>;
  /** Stops supervising first, so the exit that follows is not mistaken for a crash, then stops the child. */
  stop(): Promise<void>;
}

/**
 * Restarts a local Neo4j or Redis that died (killed, out of memory, crashed) with exponential backoff
 * — 1 s, 2 s, 4 s… up to `maxDelayMs` — logging each restart, until `stop()`. `start` is the same
 * function that started the first child, so the restart reuses its port and store folder.
 */
export async function supervise<P extends ManagedProcess>(start: () => Promise<P>, options: SupervisorOptions): Promise<Supervised<P>> {
  const initialDelayMs = options.initialDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const stableAfterMs = options.stableAfterMs ?? 60_000;
  let current = await start();
  let restarts = 0;
  let stopping = false;
  let delayMs = initialDelayMs;
  let pendingTimer: NodeJS.Timeout | undefined;
  let starting: Promise<unknown> | undefined;
  const waiters: Array<{ count: number; resolve: (child: P) => void }> = [];

  const watch = (child: P) => {
    const startedAt = Date.now();
    child.child.once('exit', (code, signal) => {
      if (stopping) return;
      if (Date.now() - startedAt >= stableAfterMs) delayMs = initialDelayMs;
      options.say(`${child.name} exited unexpectedly (${signal ?? `code ${code}`}); restarting in ${delayMs / 1000}s`);
      scheduleRestart();
    });
  };

  const scheduleRestart = () => {
    const wait = delayMs;
    delayMs = Math.min(delayMs * 2, maxDelayMs);
    pendingTimer = setTimeout(() => {
      pendingTimer = undefined;
      if (stopping) return;
      starting = start().then(
        async (child) => {
          if (stopping) {
            await child.stop();
            return;
          }
          current = child;
          restarts += 1;
          options.say(`${child.name} restarted (restart ${restarts})`);
          watch(child);
          // Waiters for a later restart stay queued.
          for (const waiter of waiters.filter((w) => w.count <= restarts)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(child);
          }
        },
        (error: Error) => {
          if (stopping) return;
          options.say(`restarting ${current.name} failed (${error.message.split('\n')[0]}); next attempt in ${delayMs / 1000}s`);
          scheduleRestart();
        },
      );
    }, wait);
  };

  watch(current);
  return {
    get name() {
      return current.name;
    },
    get current() {
      return current;
    },
    get restarts() {
      return restarts;
    },
    restarted(count) {
      if (restarts >= count) return Promise.resolve(current);
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async stop() {
      stopping = true;
      if (pendingTimer) clearTimeout(pendingTimer);
      // A child that a restart is bringing up right now is stopped as soon as it is up.
      await starting?.catch(() => {});
      await current.stop();
    },
  };
}
