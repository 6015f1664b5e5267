import { generateSyntheticGraph } from '../../graph/synthetic';
import { SYNTHETIC_HISTORY_END } from '../../graph/syntheticHistories';

const DAY = 86_400_000;

describe('seeded purchase histories, NPS answers and review ratings in the synthetic network', () => {
  const plain = generateSyntheticGraph(5_000, 7);
  const rich = generateSyntheticGraph(5_000, 7, { purchaseHistories: true });

  test('the same seed gives the same histories', () => {
    expect(generateSyntheticGraph(2_000, 9, { purchaseHistories: true })).toEqual(generateSyntheticGraph(2_000, 9, { purchaseHistories: true }));
  });

  test('the option only adds: customers, ties, referrals and the first purchases and reviews stay as they were', () => {
    expect(rich.knows).toEqual(plain.knows);
    expect(rich.referrals).toEqual(plain.referrals);
    expect(rich.purchases.slice(0, plain.purchases.length)).toEqual(plain.purchases);
    expect(rich.reviews.slice(0, plain.reviews.length)).toEqual(plain.reviews);
    expect(rich.customers.map((c) => c.id)).toEqual(plain.customers.map((c) => c.id));
    expect(rich.purchases.length).toBeGreaterThan(3 * plain.purchases.length);
  });

  test('order ids stay unique, no purchase lies past the end, and one currency unless a foreign share is asked for', () => {
    expect(new Set(rich.purchases.map((p) => p.orderId)).size).toBe(rich.purchases.length);
    expect(rich.purchases.every((p) => p.at <= SYNTHETIC_HISTORY_END)).toBe(true);
    expect(new Set(rich.purchases.map((p) => p.currency ?? 'EUR'))).toEqual(new Set(['EUR']));
    const mixed = generateSyntheticGraph(5_000, 7, { purchaseHistories: true, foreignCurrencyShare: 0.2 });
    const usd = new Set(mixed.purchases.filter((p) => p.currency === 'USD').map((p) => p.customerId));
    expect(usd.size).toBeGreaterThan(0);
    // A customer pays in one currency throughout.
    expect(mixed.purchases.filter((p) => usd.has(p.customerId)).every((p) => p.currency === 'USD')).toBe(true);
  });

  test('some buyers are lost, some recently active, and reviews carry ratings and NPS answers that follow each other', () => {
    const last = new Map<string, number>();
    for (const p of rich.purchases) last.set(p.customerId, Math.max(last.get(p.customerId) ?? 0, p.at));
    const since = [...last.values()].map((at) => (SYNTHETIC_HISTORY_END - at) / DAY);
    expect(since.filter((days) => days > 180).length).toBeGreaterThan(0.05 * since.length);
    expect(since.filter((days) => days <= 90).length).toBeGreaterThan(0.2 * since.length);
    expect(new Set(rich.reviews.map((r) => `${r.customerId} ${r.productId}`)).size).toBe(rich.reviews.length);
    const added = rich.reviews.slice(plain.reviews.length);
    const meanRecommend = (rating: number) => {
      const answers = added.filter((r) => r.rating === rating).map((r) => r.recommend);
      return answers.reduce((s, a) => s + a, 0) / answers.length;
    };
    expect(meanRecommend(5)).toBeGreaterThan(meanRecommend(1) + 5);
  });

  test('stages follow the purchases: every customer with two purchases or more is a repeat buyer or loyal', () => {
    const count = new Map<string, number>();
    for (const p of rich.purchases) count.set(p.customerId, (count.get(p.customerId) ?? 0) + 1);
    const repeat = rich.customers.filter((c) => (count.get(c.id) ?? 0) >= 2);
    expect(repeat.every((c) => c.stage === 'REPEAT_BUYER' || c.stage === 'LOYAL')).toBe(true);
  });
});
