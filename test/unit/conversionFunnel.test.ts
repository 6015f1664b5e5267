import { interpolatedMedian, toFunnel } from '../../graph/analytics/conversion';

describe('the conversion funnel arithmetic', () => {
  test('the median interpolates between the two middle values, as percentileCont does', () => {
    expect(interpolatedMedian([])).toBeNull();
    expect(interpolatedMedian([5])).toBe(5);
    expect(interpolatedMedian([9, 1, 4])).toBe(4);
    expect(interpolatedMedian([1, 2, 3, 10])).toBe(2.5);
  });

  test('rates are shares of invites and the K-factor is invites per referrer times the conversion rate', () => {
    const funnel = toFunnel({ generation: 1, invited: 8, referrers: 2, clicked: 6, signedUp: 4, converted: 2, repeatBuyers: 1, hours: [10, 30] });
    expect(funnel).toMatchObject({
      referrals: 8,
      referrers: 2,
      clicked: { count: 6, rate: 0.75 },
      signedUp: { count: 4, rate: 0.5 },
      converted: { count: 2, rate: 0.25 },
      repeatBuyers: { count: 1, rate: 0.125 },
      medianHoursToConversion: 20,
      invitesPerReferrer: 4,
      kFactor: 1,
    });
  });

  test('an empty funnel has zero rates and no median, not a division by zero', () => {
    const funnel = toFunnel({ generation: 1, invited: 0, referrers: 0, clicked: 0, signedUp: 0, converted: 0, repeatBuyers: 0, hours: [] });
    expect(funnel).toMatchObject({ invited: { count: 0, rate: 0 }, kFactor: 0, invitesPerReferrer: 0, medianHoursToConversion: null });
  });
});
