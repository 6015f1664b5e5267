import { walkUp } from '../../graph/analytics/chain';

describe('the walk up a referral chain', () => {
  test('a customer nobody referred is their own root', () => {
    expect(walkUp(['a'])).toEqual({ upward: [], rootId: 'a', cycleDetected: false });
  });

  test('a chain ends at the root advocate', () => {
    expect(walkUp(['a', 'b', 'c'])).toEqual({ upward: ['b', 'c'], rootId: 'c', cycleDetected: false });
  });

  test('a walk that meets a customer twice stops before the repeat and reports the cycle', () => {
    expect(walkUp(['a', 'c', 'b', 'a'])).toEqual({ upward: ['c', 'b'], rootId: 'b', cycleDetected: true });
    expect(walkUp(['below', 'a', 'c', 'b', 'a'])).toEqual({ upward: ['a', 'c', 'b'], rootId: 'b', cycleDetected: true });
  });
});
