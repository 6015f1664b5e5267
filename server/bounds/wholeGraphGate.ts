import { GraphQLError } from 'graphql';
import { ERROR_CODES } from '../../graph/errors';

/**
 * At most `perKey` whole-graph computations (rankings, the referral funnel) in flight per API key, so
 * that one client cannot take the Neo4j pool from everyone else. A computation beyond that waits up to
 * `waitMs` for a slot, in arrival order; still none free, it is refused with RATE_LIMITED (HTTP 429,
 * `Retry-After`). Per process: with several instances a key may have `perKey` in flight on each.
 */
export class WholeGraphGate {
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(
    private readonly perKey: number,
    private readonly waitMs: number,
  ) {}

  async run<T>(keyId: string, work: () => Promise<T>): Promise<T> {
    await this.acquire(keyId);
    try {
      return await work();
    } finally {
      this.release(keyId);
    }
  }

  private async acquire(keyId: string): Promise<void> {
    if ((this.running.get(keyId) ?? 0) < this.perKey) {
      this.running.set(keyId, (this.running.get(keyId) ?? 0) + 1);
      return;
    }
    const queue = this.waiting.get(keyId) ?? [];
    this.waiting.set(keyId, queue);
    await new Promise<void>((resolve, reject) => {
      const granted = () => {
        clearTimeout(timer);
        resolve(); // the slot passes from the releasing computation to this one: `running` stays as it is
      };
      const timer = setTimeout(() => {
        queue.splice(queue.indexOf(granted), 1);
        if (queue.length === 0) this.waiting.delete(keyId);
        reject(this.busy());
      }, this.waitMs);
      queue.push(granted);
    });
  }

  private release(keyId: string): void {
    const next = this.waiting.get(keyId)?.shift();
    if (next) {
      if (this.waiting.get(keyId)!.length === 0) this.waiting.delete(keyId);
      next();
      return;
    }
    const count = (this.running.get(keyId) ?? 1) - 1;
    if (count === 0) this.running.delete(keyId);
    else this.running.set(keyId, count);
  }

  private busy(): GraphQLError {
    const retryAfter = Math.max(1, Math.ceil(this.waitMs / 1000));
    return new GraphQLError(`This API key already has ${this.perKey} whole-graph computations in flight; retry in ${retryAfter} s.`, {
      extensions: { code: ERROR_CODES.RATE_LIMITED, http: { status: 429, headers: new Map([['retry-after', String(retryAfter)]]) } },
    });
  }
}
