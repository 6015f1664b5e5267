import { BATCH, iso, key, ok } from '../../support/builders';
import { startTestApi, TestApi, uniquePrefix } from '../../support/services';
import { givenCampaign, givenReferrer, REVIEW_QUEUE, SIGNUP_HELD } from './documents';

const LIMIT = 4;

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ REFERRAL_VELOCITY_PER_HOUR: String(LIMIT) });
});
afterAll(() => api.close());

const STATUSES = `query($id: ID!) { customer(id: $id) { referrals(first: 100) { edges { node { status holdReason } } } } }`;

async function statusesOf(referrerId: string) {
  const data = await ok(api, STATUSES, { id: referrerId });
  return (data.customer.referrals.edges as Array<{ node: { status: string; holdReason: string | null } }>).map((edge) => edge.node);
}

describe('the velocity rule', () => {
  test('of many concurrent sign-ups with one referrer\'s code, exactly the limit is credited and the rest are HELD for VELOCITY', async () => {
    const p = uniquePrefix('velocity');
    const campaign = await givenCampaign(api, p);
    const code = await givenReferrer(api, `${p}-ref`, campaign);
    const count = 12;
    const results = await Promise.all(
      Array.from({ length: count }, (_, i) => api.gql('service', SIGNUP_HELD, { input: { customerId: `${p}-f${i}`, code, idempotencyKey: key(p) } })),
    );
    expect(results.filter((body) => body.errors)).toEqual([]);
    const statuses = results.map((body) => body.data!.recordSignup.referral);
    expect(statuses.filter((referral) => referral.status === 'SIGNED_UP')).toHaveLength(LIMIT);
    expect(statuses.filter((referral) => referral.status === 'HELD')).toHaveLength(count - LIMIT);
    expect(statuses.filter((referral) => referral.status === 'HELD').every((referral) => referral.holdReason === 'VELOCITY')).toBe(true);
    // The store agrees with the answers.
    const stored = await statusesOf(`${p}-ref`);
    expect(stored.filter((referral) => referral.status === 'SIGNED_UP')).toHaveLength(LIMIT);

    const queue = await ok(api, REVIEW_QUEUE, { filter: { campaignId: campaign, reason: 'VELOCITY' } }, 'admin');
    expect(queue.reviewQueue.heldReferrals).toHaveLength(count - LIMIT);
    expect(queue.reviewQueue.heldReferrals.every((held: { evidence: { referrerSignupsLastHour: number } }) => held.evidence.referrerSignupsLastHour === LIMIT)).toBe(true);
  });

  test('sign-ups more than an hour apart each count in their own hour', async () => {
    const p = uniquePrefix('velocity-hours');
    const campaign = await givenCampaign(api, p);
    const code = await givenReferrer(api, `${p}-ref`, campaign);
    for (let i = 0; i < LIMIT + 2; i++) {
      const data = await ok(api, SIGNUP_HELD, { input: { customerId: `${p}-f${i}`, code, at: iso(10, i * 2), idempotencyKey: key(p) } });
      expect(data.recordSignup.referral.status).toBe('SIGNED_UP');
    }
  });

  test('a batch keeps the limit in batch order, as one by one would', async () => {
    const p = uniquePrefix('velocity-batch');
    const campaign = await givenCampaign(api, p);
    const code = await givenReferrer(api, `${p}-ref`, campaign);
    await ok(api, SIGNUP_HELD, { input: { customerId: `${p}-first`, code, at: iso(10), idempotencyKey: key(p) } });
    const events = Array.from({ length: LIMIT + 1 }, (_, i) => ({ recordSignup: { customerId: `${p}-b${i}`, code, at: iso(10), idempotencyKey: key(p) } }));
    await ok(api, BATCH, { events });
    const stored = await statusesOf(`${p}-ref`);
    expect(stored.filter((referral) => referral.status === 'SIGNED_UP')).toHaveLength(LIMIT);
    expect(stored.filter((referral) => referral.status === 'HELD' && referral.holdReason === 'VELOCITY')).toHaveLength(2);
  });
});
