import crypto from 'node:crypto';
import { hashIdentifier, normaliseIdentifier, parseIdentifiers, useIdentifierSecret } from '../../graph/identifiers';
import { holdFor, useFraudRules } from '../../graph/fraudRules';
import { HoldTracker } from '../../graph/batch/holds';

const SECRET = 'unit-test-identifier-secret-0123456789';
beforeAll(() => {
  useIdentifierSecret(SECRET);
  useFraudRules({ velocityPerHour: 2 });
});

describe('identifier normalisation', () => {
  test.each([
    ['EMAIL', ' Jane.Doe+promo@GMail.com ', 'janedoe@gmail.com'],
    ['EMAIL', 'jane.doe@googlemail.com', 'janedoe@gmail.com'],
    ['EMAIL', 'Jane.Doe+x@example.org', 'jane.doe@example.org'],
    ['PHONE', '+44 (20) 7946-0000', '+442079460000'],
    ['IP', ' 2001:DB8::1 ', '2001:db8::1'],
    ['ADDRESS', '221B  Baker St., London', '221b baker st london'],
    ['PAYMENT', ' tok_ABC ', 'tok_ABC'],
  ] as const)('%s %j becomes %j', (kind, value, expected) => {
    expect(normaliseIdentifier(kind, value)).toBe(expected);
  });

  test('the stored hash is HMAC-SHA256 of KIND:normalised value under the secret, and differs by kind', () => {
    const expected = crypto.createHmac('sha256', SECRET).update('EMAIL:janedoe@gmail.com').digest('hex');
    expect(hashIdentifier('EMAIL', 'Jane.Doe+a@googlemail.com')).toBe(expected);
    expect(hashIdentifier('DEVICE', 'x')).not.toBe(hashIdentifier('IP', 'x'));
  });

  test('parseIdentifiers drops duplicates after normalisation and never echoes a value in its errors', () => {
    expect(parseIdentifiers('identifiers', [{ kind: 'EMAIL', value: 'A@x.org' }, { kind: 'EMAIL', value: 'a+b@x.org' }])).toHaveLength(1);
    const long = 'secret'.repeat(100);
    expect(() => parseIdentifiers('identifiers', [{ kind: 'DEVICE', value: long }])).toThrow(expect.objectContaining({ field: 'identifiers[0].value' }));
    try {
      parseIdentifiers('identifiers', [{ kind: 'DEVICE', value: long }]);
    } catch (error) {
      expect((error as Error).message).not.toContain('secret');
    }
  });
});

describe('the hold rules', () => {
  test('a shared identifier holds first; velocity holds at the limit', () => {
    expect(holdFor([{ kind: 'DEVICE', hash: 'h' }], 5)).toEqual({ reason: 'SHARED_IDENTIFIER', velocityCount: null });
    expect(holdFor([], 1)).toBeNull();
    expect(holdFor([], 2)).toEqual({ reason: 'VELOCITY', velocityCount: 2 });
  });

  test('a batch counts its own earlier credits, not later ones, and not the store\'s copy of its own', () => {
    const holds = new HoldTracker();
    const none = { referrer: [], invitee: [] };
    const at = 1_000_000;
    expect(holds.judge(0, 1, { referrerId: 'r', inviteeId: 'a', at }, none, [])).toBeNull();
    expect(holds.judge(1, 1, { referrerId: 'r', inviteeId: 'b', at }, none, [])).toBeNull();
    // The store holds a's credit (an earlier level wrote it): counted once, as the batch's.
    expect(holds.judge(2, 2, { referrerId: 'r', inviteeId: 'c', at }, none, [{ referrerId: 'r', inviteeId: 'a', signedUpAt: at }])).toEqual({ reason: 'VELOCITY', velocityCount: 2 });
    expect(holds.verdictsHold()).toBe(true);
  });

  test('an earlier event\'s credit decided in a later level sends the batch one by one', () => {
    const holds = new HoldTracker();
    const none = { referrer: [], invitee: [] };
    holds.judge(5, 1, { referrerId: 'r', inviteeId: 'late', at: 0 }, none, []);
    holds.judge(2, 2, { referrerId: 'r', inviteeId: 'early', at: 0 }, none, []);
    expect(holds.verdictsHold()).toBe(false);
  });

  test('identifiers linked to the referrer by an event out of batch order send the batch one by one', () => {
    const holds = new HoldTracker();
    holds.linksIdentifiers(7, 1, 'r');
    holds.judge(3, 2, { referrerId: 'r', inviteeId: 'i', at: 0 }, { referrer: [], invitee: [] }, []);
    expect(holds.verdictsHold()).toBe(false);
  });
});
