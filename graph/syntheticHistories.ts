import type { SyntheticGraph } from './synthetic';

// Seeded purchase histories, NPS answers and review ratings for the synthetic network (the `purchaseHistories`
// option of generateSyntheticGraph): what customer value, lifecycle and churn need to have something to find.
// A stream of random numbers of its own (derived from the seed), so that the rest of the graph is the same with or
// without it. Each buyer follows one pattern from their first purchase up to SYNTHETIC_HISTORY_END:
//   steady (35%): a purchase every I days (I from 10 to 90), ±20% jitter;
//   growing (15%): intervals shrink by 15% each time (to a third of the first, a week at least), amounts rise;
//   declining (20%): steady, then stop 3.5 to 6 intervals before the end (DECLINING by the default rules);
//   lost (15%): steady, then stop 200 to 300 days before the end (LOST after 180 days);
//   one-time (15%): nothing more.
// Reviews: 60% of buyers with a history rate one product they bought, the rating following the pattern (happy
// steady and growing buyers rate high, lost ones low) and the NPS answer (`recommend`) following the rating.

const DAY_MS = 86_400_000;
/** The last instant of synthetic purchase histories: ask value questions `asOf` it. */
export const SYNTHETIC_HISTORY_END = Date.UTC(2027, 1, 1);
const MAX_PURCHASES_PER_CUSTOMER = 60;

type Pattern = 'steady' | 'growing' | 'declining' | 'lost' | 'oneTime';

export interface HistoryOptions {
  /** Share of buyers with a history who pay in USD instead of EUR, 0 to 1 (0 by default). */
  foreignCurrencyShare?: number;
}

function pickPattern(draw: number): Pattern {
  if (draw < 0.35) return 'steady';
  if (draw < 0.5) return 'growing';
  if (draw < 0.7) return 'declining';
  if (draw < 0.85) return 'lost';
  return 'oneTime';
}

const RATING_BY_PATTERN: Record<Pattern, readonly number[]> = {
  steady: [3, 4, 4, 5, 5],
  growing: [4, 5, 5, 5, 5],
  declining: [2, 3, 3, 4, 4],
  lost: [1, 1, 2, 2, 3],
  oneTime: [2, 3, 3, 4, 5],
};

/** The NPS answer (0–10) of a customer who rated `rating` (1–5): 5 stars mostly promoters, 1–2 mostly detractors. */
const recommendFor = (rating: number, draw: number) => Math.max(0, Math.min(10, Math.round(rating * 2 - 1 + draw * 2)));

export function addPurchaseHistories(graph: SyntheticGraph, random: () => number, options: HistoryOptions = {}): void {
  const foreignShare = options.foreignCurrencyShare ?? 0;
  if (!(foreignShare >= 0 && foreignShare <= 1)) throw new Error(`foreignCurrencyShare must be from 0 to 1, got ${foreignShare}`);
  const byCustomer = new Map<string, SyntheticGraph['purchases']>();
  for (const purchase of graph.purchases) {
    const list = byCustomer.get(purchase.customerId) ?? [];
    list.push(purchase);
    byCustomer.set(purchase.customerId, list);
  }
  const reviewed = new Set(graph.reviews.map((review) => `${review.customerId} ${review.productId}`));
  const recommendOf = new Map(graph.reviews.map((review) => [review.customerId, review.recommend]));
  const customerOf = new Map(graph.customers.map((customer) => [customer.id, customer]));
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];

  for (const [customerId, existing] of byCustomer) {
    const pattern = pickPattern(random());
    const currency = random() < foreignShare ? 'USD' : 'EUR';
    if (currency !== 'EUR') for (const purchase of existing) purchase.currency = currency;
    const favourite = existing[0].productId;
    const interval = (10 + random() * 80) * DAY_MS;
    const baseAmount = existing[existing.length - 1].amount;
    const stopAt =
      pattern === 'declining' ? SYNTHETIC_HISTORY_END - (3.5 + random() * 2.5) * interval
      : pattern === 'lost' ? SYNTHETIC_HISTORY_END - (200 + random() * 100) * DAY_MS
      : SYNTHETIC_HISTORY_END;
    let at = existing[existing.length - 1].at;
    let gap = interval;
    let count = existing.length;
    let amount = baseAmount;
    const bought = new Set(existing.map((purchase) => purchase.productId));
    while (pattern !== 'oneTime' && count < MAX_PURCHASES_PER_CUSTOMER) {
      at += Math.floor(gap * (0.8 + random() * 0.4));
      if (at > stopAt) break;
      if (pattern === 'growing') {
        gap = Math.max(7 * DAY_MS, interval / 3, gap * 0.85);
        amount *= 1.05;
      }
      const productId = random() < 0.7 ? favourite : pick(graph.products).id;
      bought.add(productId);
      count += 1;
      graph.purchases.push({
        customerId, productId, orderId: `o-${customerId}-h${count}`, currency,
        amount: Math.round(amount * (0.8 + random() * 0.5) * 100) / 100, at,
      });
    }
    if (random() < 0.6) {
      const productId = pick([...bought]);
      if (!reviewed.has(`${customerId} ${productId}`)) {
        reviewed.add(`${customerId} ${productId}`);
        const rating = pick(RATING_BY_PATTERN[pattern]);
        const recommend = recommendFor(rating, random());
        graph.reviews.push({ customerId, productId, rating, recommend, at: Math.min(at, SYNTHETIC_HISTORY_END) });
        recommendOf.set(customerId, Math.max(recommendOf.get(customerId) ?? 0, recommend));
      }
    }
    // The funnel stage follows the purchases, as recordPurchase and recordReview keep it.
    const customer = customerOf.get(customerId)!;
    if (count >= 2 && customer.stageRank < 5) Object.assign(customer, { stage: 'REPEAT_BUYER', stageRank: 5 });
    if (customer.stageRank === 5 && (recommendOf.get(customerId) ?? 0) >= 9) Object.assign(customer, { stage: 'LOYAL', stageRank: 6 });
  }
}
