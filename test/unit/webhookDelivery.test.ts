import crypto from 'node:crypto';
import { deliveryBody, retryDelayMs } from '../../server/live/webhooks/deliveryQueue';
import { isForbiddenAddress } from '../../server/live/webhooks/outbound';
import { signatureHeader, verifySignature } from '../../server/live/webhooks/signature';

describe('webhook signatures', () => {
  const secret = 'whsec-unit-0123456789';
  const body = '{"id":"e1","type":"REVIEW_POSTED"}';
  const at = Date.UTC(2026, 10, 29, 12);

  test('the header is t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>"> with the secret', () => {
    const t = Math.floor(at / 1000);
    const expected = crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signatureHeader(secret, body, at)).toBe(`t=${t},v1=${expected}`);
  });

  test('a receiver accepts it with the secret, and refuses another secret, a changed body or an old timestamp', () => {
    const header = signatureHeader(secret, body, at);
    expect(verifySignature(secret, body, header, 300, at + 1000)).toBe(true);
    expect(verifySignature('another-secret-0123', body, header, 300, at)).toBe(false);
    expect(verifySignature(secret, `${body} `, header, 300, at)).toBe(false);
    expect(verifySignature(secret, body, header, 300, at + 301_000)).toBe(false);
  });
});

describe('retry delays', () => {
  test('double with each failed attempt, in the upper half of their step, and stop growing at the maximum', () => {
    const lowest = (attempt: number) => retryDelayMs(attempt, 1000, 60_000, () => 0);
    const highest = (attempt: number) => retryDelayMs(attempt, 1000, 60_000, () => 1);
    expect([1, 2, 3, 4].map(lowest)).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map(highest)).toEqual([1000, 2000, 4000, 8000]);
    expect(highest(30)).toBe(60_000);
    expect(lowest(30)).toBe(30_000);
  });
});

describe('outbound addresses', () => {
  test.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1'])(
    '%s is refused',
    (address) => expect(isForbiddenAddress(address)).toBe(true),
  );
  test.each(['93.184.216.34', '8.8.8.8', '2606:4700::1111'])('%s is allowed', (address) => expect(isForbiddenAddress(address)).toBe(false));
});

test('a delivery body carries the event with the SDL name of its type, ids and times only', () => {
  const body = JSON.parse(deliveryBody({ id: 'e1', type: 'ChainGrew', at: Date.UTC(2026, 0, 1), rootCustomerId: 'r', tree: '4:abc:1', seq: 4, customerId: 'c', generation: 3 }));
  expect(body).toEqual({ id: 'e1', type: 'CHAIN_GREW', at: '2026-01-01T00:00:00.000Z', sequence: 4, data: { rootCustomerId: 'r', customerId: 'c', generation: 3 } });
});
