// A seeded generator of referral networks with a realistic shape: heavy-tailed social degrees
// (preferential attachment), referral trees several generations deep, and a funnel that loses
// people at each step. The same seed always gives the same graph.

import { addPurchaseHistories } from './syntheticHistories';

const DAY_MS = 86_400_000;
const EPOCH = Date.UTC(2026, 0, 1);

export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticCustomer {
  id: string;
  name: string;
  stage: string;
  stageRank: number;
  createdAt: number;
  signedUpAt: number | null;
}

export interface SyntheticReferral {
  referrerId: string;
  inviteeId: string;
  campaign: string;
  channel: string;
  status: string;
  invitedAt: number;
  clickedAt: number | null;
  signedUpAt: number | null;
  firstPurchaseAt: number | null;
}

export interface SyntheticGraph {
  campaigns: Array<{ id: string; name: string; startsAt: number; endsAt: number; attributionWindowDays: number; attributionModel: string }>;
  customers: SyntheticCustomer[];
  knows: Array<[string, string, number]>;
  referrals: SyntheticReferral[];
  /** `currency` is EUR when absent (the only currency without the purchaseHistories option). */
  purchases: Array<{ customerId: string; productId: string; orderId: string; amount: number; at: number; currency?: string }>;
  reviews: Array<{ customerId: string; productId: string; rating: number; recommend: number; at: number }>;
  products: Array<{ id: string; name: string }>;
}

const STAGES = ['STRANGER', 'FOLLOWER', 'INTERESTED', 'FAN', 'BUYER', 'REPEAT_BUYER', 'LOYAL'];
const CHANNELS = ['email', 'sms', 'whatsapp', 'link'];
const FIRST = ['Ada', 'Ben', 'Chloe', 'Dev', 'Ema', 'Finn', 'Gia', 'Hugo', 'Ines', 'Jon', 'Kai', 'Lena', 'Milo', 'Nora', 'Omar', 'Pia'];
const LAST = ['Alves', 'Brown', 'Chen', 'Diaz', 'Evans', 'Fischer', 'Garcia', 'Haas', 'Ito', 'Jensen', 'Kim', 'Lopez', 'Moreau', 'Novak'];

export interface SyntheticOptions {
  /** Friends each newcomer draws among earlier customers (3 by default); repeats of a draw are dropped, so a few get fewer. */
  knowsPerCustomer?: number;
  /**
   * Seeded purchase histories up to SYNTHETIC_HISTORY_END (steady, growing, declining, lost and one-time buyers),
   * more reviews with ratings and NPS answers that follow them (graph/syntheticHistories.ts). Off by default: the
   * graph is then the same as before the option existed; on, everything else stays the same too.
   */
  purchaseHistories?: boolean;
  /** With purchaseHistories: share of buyers who pay in USD (0 by default). */
  foreignCurrencyShare?: number;
}

export function generateSyntheticGraph(size: number, seed: number, options: SyntheticOptions = {}): SyntheticGraph {
  const knowsPerCustomer = options.knowsPerCustomer ?? 3;
  if (!Number.isInteger(knowsPerCustomer) || knowsPerCustomer < 0) throw new Error(`knowsPerCustomer must be a whole number ≥ 0, got ${knowsPerCustomer}`);
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const campaigns = [
    { id: 'spring-friends', name: 'Spring friends', startsAt: EPOCH, endsAt: EPOCH + 400 * DAY_MS, attributionWindowDays: 30, attributionModel: 'LAST_TOUCH' },
    { id: 'vip-advocates', name: 'VIP advocates', startsAt: EPOCH, endsAt: EPOCH + 400 * DAY_MS, attributionWindowDays: 60, attributionModel: 'FIRST_TOUCH' },
  ];
  const products = Array.from({ length: 20 }, (_, i) => ({ id: `p${i + 1}`, name: `Product ${i + 1}` }));
  const customers: SyntheticCustomer[] = [];
  const knows: Array<[string, string, number]> = [];
  const referrals: SyntheticReferral[] = [];
  const purchases: SyntheticGraph['purchases'] = [];
  const reviews: SyntheticGraph['reviews'] = [];

  // Preferential attachment: each newcomer befriends ~knowsPerCustomer earlier people, chosen in proportion to their degree.
  const degreeBag: number[] = [];
  // Referrers are drawn in proportion to (referrals made + 1) among signed-up customers: a few advocates refer many.
  const referrerBag: number[] = [];

  for (let i = 0; i < size; i++) {
    const id = `c${i + 1}`;
    const createdAt = EPOCH + Math.floor((i / Math.max(1, size)) * 300 * DAY_MS);
    const customer: SyntheticCustomer = { id, name: `${pick(FIRST)} ${pick(LAST)}`, stage: 'STRANGER', stageRank: 0, createdAt, signedUpAt: null };
    customers.push(customer);

    const friends = new Set<number>();
    for (let m = 0; m < Math.min(knowsPerCustomer, i); m++) {
      const j = degreeBag.length > 0 && random() < 0.9 ? degreeBag[Math.floor(random() * degreeBag.length)] : Math.floor(random() * i);
      if (j !== i && !friends.has(j)) friends.add(j);
    }
    for (const j of friends) {
      knows.push([id, customers[j].id, Math.round(random() * 100) / 100]);
      degreeBag.push(i, j);
    }

    let rank = random() < 0.3 ? 1 : 0;
    const invited = referrerBag.length > 0 && random() < 0.7;
    let signedUp = !invited && random() < 0.5;
    if (invited) {
      const referrerIndex = referrerBag[Math.floor(random() * referrerBag.length)];
      const referrer = customers[referrerIndex];
      // Advocates: every referral a customer makes raises the chance they are picked again.
      referrerBag.push(referrerIndex);
      const invitedAt = createdAt;
      const clicked = random() < 0.7;
      signedUp = clicked && random() < 0.6;
      const referral: SyntheticReferral = {
        referrerId: referrer.id, inviteeId: id, campaign: pick(campaigns).id, channel: pick(CHANNELS),
        status: signedUp ? 'SIGNED_UP' : clicked ? 'CLICKED' : 'INVITED', invitedAt,
        clickedAt: clicked ? invitedAt + Math.floor(random() * DAY_MS) : null,
        signedUpAt: signedUp ? invitedAt + DAY_MS + Math.floor(random() * 5 * DAY_MS) : null,
        firstPurchaseAt: null,
      };
      referrals.push(referral);
      if (clicked) rank = Math.max(rank, 2);
      if (signedUp) customer.signedUpAt = referral.signedUpAt;
      if (signedUp && random() < 0.5) {
        referral.status = 'CONVERTED';
        referral.firstPurchaseAt = referral.signedUpAt! + Math.floor(random() * 10 * DAY_MS);
      }
    } else if (signedUp) {
      customer.signedUpAt = createdAt;
    }
    if (signedUp) {
      rank = 3;
      referrerBag.push(i);
      const referral = invited ? referrals[referrals.length - 1] : null;
      const buys = referral ? referral.status === 'CONVERTED' : random() < 0.5;
      if (buys) {
        const count = random() < 0.4 ? 2 + Math.floor(random() * 3) : 1;
        const first = referral?.firstPurchaseAt ?? customer.signedUpAt! + DAY_MS;
        for (let k = 0; k < count; k++) {
          purchases.push({ customerId: id, productId: pick(products).id, orderId: `o-${id}-${k + 1}`, amount: 5 + Math.floor(random() * 19500) / 100, at: first + k * 7 * DAY_MS });
        }
        rank = count >= 2 ? 5 : 4;
        if (random() < 0.3) {
          const recommend = Math.floor(random() * 11);
          reviews.push({ customerId: id, productId: purchases[purchases.length - 1].productId, rating: 1 + Math.floor(random() * 5), recommend, at: first + DAY_MS });
          if (rank === 5 && recommend >= 9) rank = 6;
        }
      }
    }
    customer.stage = STAGES[rank];
    customer.stageRank = rank;
  }
  const graph = { campaigns, customers, knows, referrals, purchases, reviews, products };
  // A random stream of its own, so that the graph above does not depend on whether histories are added.
  if (options.purchaseHistories) addPurchaseHistories(graph, seededRandom(seed ^ 0x5eed1e55), { foreignCurrencyShare: options.foreignCurrencyShare });
  return graph;
}
