import { generateSyntheticGraph, LAUNCH_CAMPAIGN_ID } from '../../graph/synthetic';

describe('the seeded synthetic referral network', () => {
  const graph = generateSyntheticGraph(20_000, 7);

  test('the same seed gives the same graph, another seed another', () => {
    expect(generateSyntheticGraph(2_000, 11)).toEqual(generateSyntheticGraph(2_000, 11));
    expect(generateSyntheticGraph(2_000, 12).knows).not.toEqual(generateSyntheticGraph(2_000, 11).knows);
  });

  test('social degrees are heavy-tailed', () => {
    const degree = new Map<string, number>();
    for (const [a, b] of graph.knows) for (const id of [a, b]) degree.set(id, (degree.get(id) ?? 0) + 1);
    const degrees = [...degree.values()];
    const mean = degrees.reduce((s, d) => s + d, 0) / degrees.length;
    expect(Math.max(...degrees)).toBeGreaterThan(20 * mean);
  });

  test('referral trees run several generations deep and the funnel drops at every step', () => {
    const parent = new Map(graph.referrals.filter((r) => r.signedUpAt !== null).map((r) => [r.inviteeId, r.referrerId]));
    let deepest = 0;
    for (const start of parent.keys()) {
      let depth = 0;
      for (let node: string | undefined = start; node !== undefined && depth < 1000; node = parent.get(node)) depth++;
      deepest = Math.max(deepest, depth);
    }
    expect(deepest).toBeGreaterThanOrEqual(4);
    const invited = graph.referrals.length;
    const clicked = graph.referrals.filter((r) => r.clickedAt !== null).length;
    const signedUp = graph.referrals.filter((r) => r.signedUpAt !== null).length;
    const converted = graph.referrals.filter((r) => r.firstPurchaseAt !== null).length;
    expect(invited).toBeGreaterThan(clicked);
    expect(clicked).toBeGreaterThan(signedUp);
    expect(signedUp).toBeGreaterThan(converted);
    expect(converted).toBeGreaterThan(0);
    expect(graph.reviews.length).toBeGreaterThan(0);
  });

  test('knowsPerCustomer sets how many friends each newcomer draws, seeded, and leaves everything else as it was', () => {
    const dense = generateSyntheticGraph(5_000, 7, { knowsPerCustomer: 10 });
    expect(dense).toEqual(generateSyntheticGraph(5_000, 7, { knowsPerCustomer: 10 }));
    // Repeated draws of one friend are dropped, so a few newcomers end with fewer than 10.
    expect(dense.knows.length).toBeGreaterThan(0.98 * 10 * 5_000);
    expect(dense.knows.length).toBeLessThanOrEqual(10 * 5_000);
    const pairs = new Set(dense.knows.map(([a, b]) => (a < b ? `${a} ${b}` : `${b} ${a}`)));
    expect(pairs.size).toBe(dense.knows.length);
    expect(dense.knows.every(([a, b]) => a !== b)).toBe(true);
  });

  test('the default of three friends per newcomer gives the same graph as before the option existed', () => {
    const byDefault = generateSyntheticGraph(2_000, 11);
    expect(generateSyntheticGraph(2_000, 11, { knowsPerCustomer: 3 })).toEqual(byDefault);
    expect(byDefault.knows.length).toBe(5_965);
  });

  test('the launch option adds a seeded invite-only waitlist campaign and leaves the rest as it was but for the referrals it moves into it', () => {
    const plain = generateSyntheticGraph(3_000, 11);
    const launched = generateSyntheticGraph(3_000, 11, { launch: {} });
    expect(launched).toEqual(generateSyntheticGraph(3_000, 11, { launch: {} }));
    expect(plain.memberships).toBeUndefined();
    expect(launched.customers).toEqual(plain.customers);
    expect(launched.knows).toEqual(plain.knows);
    expect(launched.campaigns.slice(0, 2)).toEqual(plain.campaigns);
    const campaign = launched.campaigns[2];
    expect(campaign).toMatchObject({ id: LAUNCH_CAMPAIGN_ID, inviteQuota: 3, waitlist: true });
    const moved = launched.referrals.filter((r) => r.campaign === LAUNCH_CAMPAIGN_ID);
    expect(moved.length).toBeGreaterThan(0);
    expect(launched.referrals.map((r) => ({ ...r, campaign: '' }))).toEqual(plain.referrals.map((r) => ({ ...r, campaign: '' })));
    // Each waiting place's score is its join number moved up by the launch referrals credited to it.
    const waiting = launched.memberships!.filter((m) => m.status === 'WAITING');
    expect(waiting.map((m) => m.seq)).toEqual(waiting.map((_m, i) => i + 1));
    expect(campaign.waitlistSeq).toBe(waiting.length);
    for (const place of waiting) {
      const credits = moved.filter((r) => r.referrerId === place.customerId).length;
      expect(place).toMatchObject({ credits, score: place.seq! - credits * campaign.moveUpPerReferral! });
    }
  });
});
