import type { Hold, NearbyCredit } from '../fraudRules';
import type { HashedIdentifier } from '../identifiers';
import type { Step } from './combined';
import type { Forest } from './forest';
import type { BatchOutbox } from './outbox';
import type { Access, PlanFacts } from './plan';

/** One event of a batch once its input passed the checks that need no database. */
export interface Planned<P> {
  index: number;
  parsed: P;
}

/** What a bulk step's rules see of the graph: the row's own state, and the credited chains. */
export interface Judge {
  /** As wouldCloseCycle, seen from this event (the batch's earlier credits included, later ones not). */
  closesCycle(referrerId: string, inviteeId: string): boolean;
  /** This event credits `referrerId` with `inviteeId`: later events of the batch see the credit. */
  credit(referrerId: string, inviteeId: string): void;
  /** The fraud rules on this event's credit (graph/batch/holds.ts): HELD and why, or null. */
  hold(
    credit: { referrerId: string; inviteeId: string; at: number },
    identifiers: { referrer: readonly HashedIdentifier[]; invitee: readonly HashedIdentifier[] },
    stored: readonly NearbyCredit[],
  ): Hold | null;
}

/**
 * How one kind of event is written in bulk. Each function reuses the single-event writer's parts:
 * `parse` its checks that need no database, `read` its state query over many rows, `decide` its rules
 * on that state (throwing the same DomainError), `write` its statement over many rows. A kind's reads (and its
 * writes) are one step (graph/batch/combined.ts): one statement, whose text is the same whatever the rows.
 */
export interface BulkKind<I, P, S, D, R> {
  parse(input: I, now: number): P;
  /** What the planner reads before the batch (one query for all events): codes, customers' emails, products. */
  needs?(parsed: P): { codes?: string[]; customers?: string[]; products?: string[] };
  access(parsed: P, facts: PlanFacts): Access;
  read(rows: Planned<P>[], facts: PlanFacts): Step<Map<number, S>>;
  /** The referrers whose chains the cycle rule walks for this row. */
  referrers?(parsed: P, state: S, facts: PlanFacts): string[];
  /**
   * Reads what the rules need once the level's referrers are locked (Forest.load, with the locks), into each
   * row's state: the velocity count must be read under the referrer's lock.
   */
  settle?(rows: Planned<P>[], states: Map<number, S>, facts: PlanFacts): Step<void>;
  /** The customer this event links identifiers to, when it gives any. */
  identifierOwner?(parsed: P): string | null;
  decide(parsed: P, state: S, judge: Judge, facts: PlanFacts): D;
  /** Writes the rows; their domain events go to `outbox`, emitted once at the end of the batch. */
  write(rows: Array<Planned<P> & { decided: D }>, outbox: BatchOutbox): Step<Map<number, R>>;
}

export const bulkKind = <I, P, S, D, R>(kind: BulkKind<I, P, S, D, R>) => kind;

/** `rows` (an `index` column) by index. */
export const byIndex = <T extends { index: number }>(rows: readonly T[]): Map<number, T> => new Map(rows.map((row) => [row.index, row]));

/** Forest is used by the runner; re-exported for kinds that need its type. */
export type { Forest };
