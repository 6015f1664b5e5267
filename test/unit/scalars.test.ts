import { Kind } from 'graphql';
import { DateTime } from '../../server/resolvers/scalars';

describe('the DateTime scalar', () => {
  test('reads ISO-8601 instants as epoch milliseconds and writes them back in UTC', () => {
    expect(DateTime.parseValue('2026-11-28T09:30:00Z')).toBe(Date.UTC(2026, 10, 28, 9, 30));
    expect(DateTime.parseValue('2026-11-28T10:30:00+01:00')).toBe(Date.UTC(2026, 10, 28, 9, 30));
    expect(DateTime.serialize(Date.UTC(2026, 10, 28, 9, 30))).toBe('2026-11-28T09:30:00.000Z');
  });

  test('refuses what is not an instant with BAD_USER_INPUT', () => {
    for (const bad of ['yesterday', '2026-13-45T00:00:00Z', 1700000000000, null, '']) {
      expect(() => DateTime.parseValue(bad)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
    }
    expect(() => DateTime.parseLiteral({ kind: Kind.INT, value: '5' }, {})).toThrow(/ISO-8601/);
  });
});
