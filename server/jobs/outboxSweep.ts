import type { OutboxRelay } from '../live/outboxRelay';
import type { JobSpec } from './scheduler';

/**
 * Relays outbox rows that no process relayed after its commit: the process died between commit and relay,
 * or Redis was unreachable then. Every process relays after its own commits; this job (one process at a
 * time) catches what is left.
 */
export function outboxSweepJob(relay: OutboxRelay, everyMs: number): JobSpec {
  return { name: 'outbox-sweep', everyMs, leaseMs: Math.max(30_000, everyMs * 3), run: () => relay.flush() };
}
