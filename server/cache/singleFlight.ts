/**
 * Concurrent callers in this process asking for the same key share one computation. The key is
 * forgotten once the computation ends (after it stored its answer, so a later caller finds it there).
 */
export class SingleFlight {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running) return running as Promise<T>;
    const computing = work();
    this.inFlight.set(key, computing);
    try {
      return await computing;
    } finally {
      this.inFlight.delete(key);
    }
  }
}
