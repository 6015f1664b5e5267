import { countNear, Hold, holdFor, NearbyCredit } from '../fraudRules';
import { HashedIdentifier, sharedIdentifiers } from '../identifiers';

/**
 * The fraud rules (graph/fraudRules.ts) as the events of one batch see them, as Forest does for the cycle rule.
 *
 * Velocity: the credited sign-ups the database holds near a sign-up, minus those this batch credited (whose
 * event may come after it), plus this batch's own credits of events before it. Shared identifiers: the
 * identifiers the database holds (written by earlier levels) plus the sign-up's own.
 *
 * What a level cannot see is an earlier event decided in a later level, or a later event already written by an
 * earlier level: a credit for the same referrer, or identifiers linked to the referrer. Every verdict is recorded
 * with its level so `verdictsHold` can tell whether that happened; then the runner redoes the batch one by one.
 */
export class HoldTracker {
  private readonly credits: Array<{ index: number; level: number; referrerId: string; inviteeId: string; at: number; held: boolean }> = [];
  private readonly creditedInvitees = new Set<string>();
  private readonly verdicts: Array<{ index: number; level: number; referrerId: string }> = [];
  private readonly identifierWrites: Array<{ index: number; level: number; customerId: string }> = [];

  /** Event `index` of `level` links identifiers to `customerId`. */
  linksIdentifiers(index: number, level: number, customerId: string): void {
    this.identifierWrites.push({ index, level, customerId });
  }

  /** Judges event `index`'s referral and records it as a credit later events see. */
  judge(
    index: number,
    level: number,
    credit: { referrerId: string; inviteeId: string; at: number },
    identifiers: { referrer: readonly HashedIdentifier[]; invitee: readonly HashedIdentifier[] },
    stored: readonly NearbyCredit[],
  ): Hold | null {
    const { referrerId, inviteeId, at } = credit;
    this.verdicts.push({ index, level, referrerId });
    const shared = sharedIdentifiers(identifiers.referrer, identifiers.invitee);
    const fromStore = stored.filter((nearby) => nearby.referrerId === referrerId && nearby.inviteeId !== inviteeId && !this.creditedInvitees.has(nearby.inviteeId));
    const fromBatch = this.credits.filter((earlier) => earlier.referrerId === referrerId && earlier.index < index && !earlier.held).map((earlier) => ({ signedUpAt: earlier.at }));
    const hold = holdFor(shared, countNear([...fromStore, ...fromBatch], at));
    this.credits.push({ index, level, referrerId, inviteeId, at, held: hold !== null });
    this.creditedInvitees.add(inviteeId);
    return hold;
  }

  /** Whether every verdict saw exactly the credits and identifier links of the events before it. */
  verdictsHold(): boolean {
    return this.verdicts.every(
      (verdict) =>
        !this.credits.some((credit) => credit.referrerId === verdict.referrerId && credit.index < verdict.index && credit.level > verdict.level) &&
        !this.identifierWrites.some(
          (write) =>
            write.customerId === verdict.referrerId &&
            ((write.index < verdict.index && write.level >= verdict.level) || (write.index > verdict.index && write.level < verdict.level)),
        ),
    );
  }
}
