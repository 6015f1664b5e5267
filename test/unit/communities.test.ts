import { canonicalVia, checkMinSize, density } from '../../graph/analytics/communities';
import { DomainError } from '../../graph/errors';

describe('community helpers', () => {
  test('density is the share of member pairs that are tied, 0 for a community of one', () => {
    expect(density(1, 0)).toBe(0);
    expect(density(2, 1)).toBe(1);
    expect(density(5, 10)).toBe(1);
    expect(density(4, 3)).toBe(0.5);
    expect(density(3, 2)).toBeCloseTo(2 / 3, 6);
  });

  test('via is canonical: distinct kinds, sorted, every kind when omitted', () => {
    expect(canonicalVia('via', undefined)).toEqual(['FOLLOWS', 'KNOWS', 'REFERRED']);
    expect(canonicalVia('via', ['REFERRED', 'KNOWS', 'REFERRED'])).toEqual(['KNOWS', 'REFERRED']);
  });

  test('an empty via and a minSize below 2 are refused naming the field', () => {
    expect(() => canonicalVia('via', [])).toThrow(DomainError);
    expect(() => canonicalVia('via', [])).toThrow(/via must name at least one/);
    expect(() => checkMinSize('minSize', 1)).toThrow(/minSize must be a whole number from 2/);
    expect(checkMinSize('minSize', 2)).toBe(2);
  });
});
