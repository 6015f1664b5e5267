import type { HoldReason } from '../schema/generated/types';
import { HashedIdentifier, identifiersOf, sharedIdentifiers } from './identifiers';
import { HOUR_MS } from './model';
import { cypher, Tx } from './neo4j';

/**
 * The fraud rules a referral meets when it is credited. A referral is HELD instead of SIGNED_UP when
 *  - SHARED_IDENTIFIER: its referrer and invitee share an identifier (graph/identifiers.ts), or
 *  - VELOCITY: the referrer already has `velocityPerHour` credited (not held) sign-ups within an hour of this one,
 *    either side. Either side, not only the hour before: sign-ups arrive out of order (backfills, and concurrent
 *    requests whose `at` was taken before they queued on the lock), and counting both sides keeps every hour at
 *    or under the limit whatever the order.
 * A held referral holds its invitee's credit (the chain and cycle rules see it) but is no conversion and earns no
 * reward until a manager approves it (graph/referralReview.ts).
 *
 * Under concurrency: the credit is decided with the referrer write-locked (lockCreditChain locks the referrer and
 * the chain above it, for a code and for each attribution candidate alike; the batch's Forest does the same), and
 * the count below is read after the lock in the same transaction, so concurrent sign-ups for one referrer queue and
 * each counts the ones committed before it.
 */

export interface FraudRuleSettings {
  /** Credited sign-ups per referrer within an hour before the next is HELD for VELOCITY. */
  velocityPerHour: number;
}

let settings: FraudRuleSettings = { velocityPerHour: 20 };

/** The server sets the limits once at start (REFERRAL_VELOCITY_PER_HOUR); tests may set their own. */
export function useFraudRules(value: FraudRuleSettings): void {
  settings = { ...value };
}

export const fraudRuleSettings = (): FraudRuleSettings => settings;

export interface Hold {
  reason: HoldReason;
  /** The credited sign-ups counted, for a VELOCITY hold (shown as evidence). */
  velocityCount: number | null;
}

/** The rule itself, on what was read: a shared identifier first, then velocity. */
export function holdFor(shared: readonly HashedIdentifier[], creditedNearby: number): Hold | null {
  if (shared.length > 0) return { reason: 'SHARED_IDENTIFIER', velocityCount: null };
  if (creditedNearby >= settings.velocityPerHour) return { reason: 'VELOCITY', velocityCount: creditedNearby };
  return null;
}

export interface NearbyCredit {
  referrerId: string;
  inviteeId: string;
  signedUpAt: number;
}

// Credited, not held, sign-ups of each referrer between `from` and `to`. Uses the referrer's id; a referrer's
// referrals are its own relationships, so this reads one customer's neighbourhood.
export const CREDITED_NEARBY = cypher<NearbyCredit>(
  'fraud.creditedNearby',
  `UNWIND $rows AS row
   MATCH (referrer:Customer {id: row.referrerId})-[r:REFERRED]->(invitee:Customer)
   WHERE r.status IN ['SIGNED_UP', 'CONVERTED'] AND r.signedUpAt > row.from AND r.signedUpAt < row.to
   RETURN row.referrerId AS referrerId, invitee.id AS inviteeId, r.signedUpAt AS signedUpAt`,
);

/** The window a sign-up at `at` is counted in: strictly within an hour either side. */
export const velocityWindow = (at: number) => ({ from: at - HOUR_MS, to: at + HOUR_MS });

/** CREDITED_NEARBY's rows for these asks: one per referrer, its window spanning all of that referrer's asks. */
export function nearbyRows(asks: ReadonlyArray<{ referrerId: string; at: number }>): Array<{ referrerId: string; from: number; to: number }> {
  const byReferrer = new Map<string, { from: number; to: number }>();
  for (const { referrerId, at } of asks) {
    const window = velocityWindow(at);
    const known = byReferrer.get(referrerId);
    byReferrer.set(referrerId, known ? { from: Math.min(known.from, window.from), to: Math.max(known.to, window.to) } : window);
  }
  return [...byReferrer].map(([referrerId, window]) => ({ referrerId, ...window }));
}

/** The credited sign-ups near each (referrer, at), read in one statement. */
export async function creditedNearby(tx: Tx, asks: ReadonlyArray<{ referrerId: string; at: number }>): Promise<NearbyCredit[]> {
  if (asks.length === 0) return [];
  return tx.run(CREDITED_NEARBY, { rows: nearbyRows(asks) });
}

/** How many of `credits` (one referrer's) fall in the window of a sign-up at `at`. */
export const countNear = (credits: readonly { signedUpAt: number }[], at: number) => {
  const { from, to } = velocityWindow(at);
  return credits.filter((credit) => credit.signedUpAt > from && credit.signedUpAt < to).length;
};

/**
 * The per-event path: judges the referral `referrerId` → `inviteeId` at `at`, with the referrer already locked and
 * the invitee's identifiers of this sign-up already linked.
 */
export async function judgeReferral(tx: Tx, referrerId: string, inviteeId: string, at: number): Promise<Hold | null> {
  const identifiers = await identifiersOf(tx, [referrerId, inviteeId]);
  const shared = sharedIdentifiers(identifiers.get(referrerId) ?? [], identifiers.get(inviteeId) ?? []);
  if (shared.length > 0) return holdFor(shared, 0);
  const nearby = (await creditedNearby(tx, [{ referrerId, at }])).filter((credit) => credit.inviteeId !== inviteeId);
  return holdFor(shared, countNear(nearby, at));
}
