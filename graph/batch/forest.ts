import { CHAINS_ABOVE, CREDITED_CHAIN_ABOVE } from '../referrals';
import { LOCK_BY_KEY, LockKey, WRITE_LOCK } from '../locks';
import { cypher, Tx } from '../neo4j';
import { part, runSteps, Step, step } from './combined';

/**
 * The credited referrals as the events of one batch see them, for the cycle rule.
 *
 * A customer has at most one credited referrer, so the credited graph is a forest and "would crediting
 * referrer → invitee close a cycle" is "is the invitee above the referrer". A batch decides many credits
 * at once: the chains above a level's referrers are read in one statement and the level's new credits are
 * added here in batch order, so that two credits of one level that close a cycle together through older
 * chains are caught (the later one is refused). Each credit made by the batch carries the index of its
 * event: event i sees only credits of events before i, even when a later event's credit was written in
 * an earlier level (levels follow shared customers, not the chains above them).
 *
 * The other way round, an earlier event's credit decided in a later level than event i, is invisible when
 * i is judged. Every verdict is recorded with its level, so `verdictsHold` can tell whether that happened
 * and, only then, judge them again against the complete forest; if one changes, the runner redoes the batch one by one.
 */
// CHAINS_ABOVE, then every customer on the chains write-locked in elementId order (as lockCustomers orders them).
const LOCK_CHAINS_ABOVE = cypher<{ keys: LockKey[] }>(
  'referral.lockChainsAbove',
  `UNWIND $ids AS id
   MATCH (c:Customer {id: id})
   ${CREDITED_CHAIN_ABOVE('c', 'c')}
   UNWIND CASE WHEN longest IS NULL THEN [c] ELSE nodes(longest) END AS member
   WITH DISTINCT member
   ORDER BY elementId(member)
   ${WRITE_LOCK('member')}
   RETURN collect(elementId(member)) AS keys`,
);

export class Forest {
  private readonly parent = new Map<string, string>();
  /** The index of the event that made each credit of this batch, by invitee. */
  private readonly creditedBy = new Map<string, number>();
  private readonly creditLevels: Array<{ index: number; level: number }> = [];
  private readonly verdicts: Array<{ index: number; level: number; referrerId: string; inviteeId: string; closes: boolean }> = [];
  /** The level being judged. */
  level = 0;

  private readonly locked = new Set<LockKey>();

  /** The chains above `referrerIds` as the database holds them when the step runs, added to the forest. */
  chains(referrerIds: Iterable<string>): Step<Set<LockKey>> {
    const ids = [...new Set(referrerIds)];
    return step({ chains: part(CHAINS_ABOVE, { ids }, ['id', 'chain', 'keys']) }, ({ chains }) => {
      const unlocked = new Set<LockKey>();
      for (const { chain, keys } of chains) {
        for (let i = 0; i + 1 < chain.length; i++) this.parent.set(chain[i], chain[i + 1]);
        for (const key of keys) if (!this.locked.has(key)) unlocked.add(key);
      }
      return unlocked;
    });
  }

  /**
   * Reads the chains above `referrerIds` as the database holds them now (earlier levels included). With
   * `lock` (a level that credits), write-locks every customer on them in sorted order and reads again
   * until nothing new appears, as lockCreditChain in graph/referrals.ts does for one sign-up: while the
   * locks are held nobody can credit into these chains, so the verdicts stay true until commit. The first
   * read, its locks, the chains read again under them and `underLocks` (reads that must see the chains
   * locked) go as one statement; should the chains have grown meanwhile, the new customers are locked and
   * everything read again, as many times as needed.
   */
  async load(tx: Tx, referrerIds: Iterable<string>, lock = false, underLocks: ReadonlyArray<Step<unknown>> = []): Promise<void> {
    const ids = [...new Set(referrerIds)];
    // No referrer, no credit: then the reads under the locks have nothing to read for either.
    if (ids.length === 0) return;
    if (!lock) {
      await runSteps(tx, 'batch.chains', [this.chains(ids)]);
      return;
    }
    // Finished in order: the keys count as locked before the chains read again under them are looked at.
    const lockAbove = step({ locked: part(LOCK_CHAINS_ABOVE, { ids }, ['keys']) }, ({ locked }) => locked[0].keys.forEach((key) => this.locked.add(key)));
    let [, unlocked] = await runSteps(tx, 'batch.lockChains', [lockAbove, this.chains(ids), ...underLocks]);
    while (unlocked.size > 0) {
      const keys = [...unlocked].sort();
      const lockStep = step({ locked: part(LOCK_BY_KEY, { keys }, ['key']) }, () => keys.forEach((key) => this.locked.add(key)));
      [, unlocked] = await runSteps(tx, 'batch.lockChains', [lockStep, this.chains(ids), ...underLocks]);
    }
  }

  /** The credit of event `index`: `inviteeId` now sits below `referrerId`. */
  credit(index: number, referrerId: string, inviteeId: string): void {
    this.parent.set(inviteeId, referrerId);
    this.creditedBy.set(inviteeId, index);
    this.creditLevels.push({ index, level: this.level });
  }

  /** As wouldCloseCycle in graph/referrals.ts, seen from event `index`: is the invitee the referrer or above it? */
  closesCycle(index: number, referrerId: string, inviteeId: string): boolean {
    const closes = this.walk(index, referrerId, inviteeId);
    this.verdicts.push({ index, level: this.level, referrerId, inviteeId, closes });
    return closes;
  }

  /**
   * Whether every verdict was given with every earlier credit in view: true at once unless an earlier
   * event's credit came in a later level than a judged event; otherwise judged again, seen from each event,
   * on the forest as it now stands. That forest is complete for these walks without reading the database
   * again: a walk starts at a referrer whose chain was read when its level was judged; past that, a chain only
   * grows at its root, and only through a credit of this batch (the chains of a crediting level are locked
   * until commit), which is recorded here together with the chain above its referrer, read at its own level.
   */
  verdictsHold(): boolean {
    const late = this.verdicts.filter((verdict) => this.creditLevels.some((credit) => credit.index < verdict.index && credit.level > verdict.level));
    return late.every((verdict) => this.walk(verdict.index, verdict.referrerId, verdict.inviteeId) === verdict.closes);
  }

  private walk(index: number, referrerId: string, inviteeId: string): boolean {
    const seen = new Set<string>();
    for (let node: string | undefined = referrerId; node !== undefined && !seen.has(node); node = this.parentSeenBy(index, node)) {
      if (node === inviteeId) return true;
      seen.add(node);
    }
    return false;
  }

  private parentSeenBy(index: number, child: string): string | undefined {
    const by = this.creditedBy.get(child);
    return by !== undefined && by > index ? undefined : this.parent.get(child);
  }
}
