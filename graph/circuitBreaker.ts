/**
 * Remembers that Neo4j is down so that requests fail at once instead of each waiting out a connection
 * attempt. A connection failure opens it; while open, a probe runs every `probeIntervalMs` in the
 * background and the first that succeeds closes it. Requests never wait for a probe; the driver
 * reconnects on its own once Neo4j answers again.
 */
export class CircuitBreaker {
  private openSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;

  constructor(
    private readonly probe: () => Promise<void>,
    private readonly probeIntervalMs: number,
  ) {}

  get isOpen(): boolean {
    return this.openSince !== undefined;
  }

  /** When Neo4j was first seen down in this outage (epoch ms), or undefined while it answers. */
  get downSince(): number | undefined {
    return this.openSince;
  }

  /** A request could not reach Neo4j. */
  trip(): void {
    if (this.openSince !== undefined) return;
    this.openSince = Date.now();
    this.timer = setInterval(() => void this.tryProbe(), this.probeIntervalMs);
    // A breaker waiting for Neo4j must not keep a finished process alive.
    this.timer.unref();
  }

  /** Neo4j answered (a request or a probe): close. */
  reset(): void {
    this.openSince = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tryProbe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      await this.probe();
      this.reset();
    } catch {
      // Still down: the next tick probes again.
    } finally {
      this.probing = false;
    }
  }
}
