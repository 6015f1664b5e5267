// The referral story the write benchmarks tell, five events a unit: a referrer is upserted, invites a new friend,
// the friend signs up and buys, and the two connect. bench:writes sends it through the API (instants as ISO
// strings), profileBatch.ts straight through the set-based path (epoch milliseconds), and writeFloor.ts writes
// the same graph as bare statements.

export const DAY = 86_400_000;

export interface Story {
  prefix: string;
  /** The unit's number: its customers, order and keys are named from `prefix` and `k`. */
  k: number;
  campaign: string;
  product: string;
  /** When the invite happens (epoch ms); the sign-up a day later, the purchase two. */
  t0: number;
}

/** The unit's five events, in order, as EventInput objects; `instant` writes each time as its caller sends it. */
export function storyEvents({ prefix, k, campaign, product, t0 }: Story, instant: (epochMs: number) => string | number) {
  const referrer = `${prefix}-r-${k}`;
  const friend = `${prefix}-i-${k}`;
  const key = (n: number) => `${prefix}-${k}-${n}`;
  return [
    { upsertCustomer: { id: referrer, name: `Referrer ${k}` } },
    { recordInvite: { referrerId: referrer, campaignId: campaign, invitee: { id: friend }, channel: 'email', at: instant(t0), idempotencyKey: key(1) } },
    { recordSignup: { customerId: friend, at: instant(t0 + DAY), idempotencyKey: key(2) } },
    { recordPurchase: { customerId: friend, productId: product, orderId: `${prefix}-o-${k}`, amount: 20, currency: 'EUR', at: instant(t0 + 2 * DAY), idempotencyKey: key(3) } },
    { connectCustomers: { customerId: referrer, otherId: friend, strength: 0.5, idempotencyKey: key(4) } },
  ];
}
