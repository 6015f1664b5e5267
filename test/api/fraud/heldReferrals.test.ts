import { BATCH, failure, iso, key, ok } from '../../support/builders';
import { startTestApi, TestApi, uniquePrefix } from '../../support/services';
import { APPROVE_REFERRAL, givenCampaign, givenReferrer, REJECT_REFERRAL, REVIEW_QUEUE, SIGNUP_HELD } from './documents';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const REFERRED_BY = `query($id: ID!) { customer(id: $id) { referredBy { status holdReason firstPurchaseAt } } }`;
const FUNNEL = `query($filter: ConversionFilter) { referralConversion(filter: $filter) { overall { signedUp { count } converted { count } } } }`;

describe('a referral whose referrer and invitee share an identifier', () => {
  test('is HELD with reason SHARED_IDENTIFIER when the invitee signs up with the referrer\'s device', async () => {
    const p = uniquePrefix('held');
    const campaign = await givenCampaign(api, p);
    const code = await givenReferrer(api, `${p}-ref`, campaign, [{ kind: 'DEVICE', value: `device-${p}` }]);
    const data = await ok(api, SIGNUP_HELD, {
      input: { customerId: `${p}-new`, code, at: iso(10), identifiers: [{ kind: 'DEVICE', value: ` DEVICE-${p} ` }], idempotencyKey: key(p) },
    });
    expect(data.recordSignup.referral).toEqual({ status: 'HELD', holdReason: 'SHARED_IDENTIFIER', referrer: { id: `${p}-ref` } });
  });

  test('e-mail addresses match after normalisation: case, +tags and gmail dots', async () => {
    const p = uniquePrefix('held-mail');
    const campaign = await givenCampaign(api, p);
    const code = await givenReferrer(api, `${p}-ref`, campaign, [{ kind: 'EMAIL', value: `Fraud.Ster.${p}@gmail.com` }]);
    const data = await ok(api, SIGNUP_HELD, {
      input: { customerId: `${p}-new`, code, at: iso(10), identifiers: [{ kind: 'EMAIL', value: `fraudster${p}+second@googlemail.com` }], idempotencyKey: key(p) },
    });
    expect(data.recordSignup.referral.status).toBe('HELD');
  });

  test('identifiers of different kinds with the same value do not match', async () => {
    const p = uniquePrefix('held-kind');
    const campaign = await givenCampaign(api, p);
    const code = await givenReferrer(api, `${p}-ref`, campaign, [{ kind: 'DEVICE', value: `same-${p}` }]);
    const data = await ok(api, SIGNUP_HELD, {
      input: { customerId: `${p}-new`, code, at: iso(10), identifiers: [{ kind: 'IP', value: `same-${p}` }], idempotencyKey: key(p) },
    });
    expect(data.recordSignup.referral).toMatchObject({ status: 'SIGNED_UP', holdReason: null });
  });

  test('the batch path holds it too, from an identifier an earlier event of the batch linked', async () => {
    const p = uniquePrefix('held-batch');
    const campaign = await givenCampaign(api, p);
    const code = await givenReferrer(api, `${p}-ref`, campaign);
    await ok(api, BATCH, {
      events: [
        { upsertCustomer: { id: `${p}-ref`, identifiers: [{ kind: 'PAYMENT', value: `card-${p}` }] } },
        { recordSignup: { customerId: `${p}-new`, code, at: iso(10), idempotencyKey: key(p) } },
        { recordSignup: { customerId: `${p}-twin`, code, at: iso(10), identifiers: [{ kind: 'PAYMENT', value: `card-${p}` }], idempotencyKey: key(p) } },
      ],
    });
    expect((await ok(api, REFERRED_BY, { id: `${p}-new` })).customer.referredBy).toMatchObject({ status: 'SIGNED_UP', holdReason: null });
    expect((await ok(api, REFERRED_BY, { id: `${p}-twin` })).customer.referredBy).toMatchObject({ status: 'HELD', holdReason: 'SHARED_IDENTIFIER' });
  });

  test('a held referral does not count as a conversion until a manager approves it; approval converts it', async () => {
    const p = uniquePrefix('held-conv');
    const campaign = await givenCampaign(api, p);
    const code = await givenReferrer(api, `${p}-ref`, campaign, [{ kind: 'PHONE', value: '+44 20 7946 0000' }]);
    await ok(api, SIGNUP_HELD, { input: { customerId: `${p}-new`, code, at: iso(10), identifiers: [{ kind: 'PHONE', value: '+442079460000' }], idempotencyKey: key(p) } });
    await ok(api, `mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) { orderId } }`, {
      input: { customerId: `${p}-new`, productId: `${p}-prod`, orderId: `${p}-o1`, amount: 20, currency: 'EUR', at: iso(11), idempotencyKey: key(p) },
    });
    expect((await ok(api, REFERRED_BY, { id: `${p}-new` })).customer.referredBy).toEqual({ status: 'HELD', holdReason: 'SHARED_IDENTIFIER', firstPurchaseAt: iso(11) });
    const before = await ok(api, FUNNEL, { filter: { campaignId: campaign } });
    expect(before.referralConversion.overall).toEqual({ signedUp: { count: 1 }, converted: { count: 0 } });

    const queue = await ok(api, REVIEW_QUEUE, { filter: { campaignId: campaign } }, 'admin');
    expect(queue.reviewQueue.heldReferrals).toHaveLength(1);
    expect(queue.reviewQueue.heldReferrals[0]).toMatchObject({ reason: 'SHARED_IDENTIFIER', referral: { invitee: { id: `${p}-new` } } });
    expect(queue.reviewQueue.heldReferrals[0].evidence.sharedIdentifiers).toEqual([{ kind: 'PHONE', hashPrefix: expect.stringMatching(/^[0-9a-f]{8}$/) }]);

    const approved = await api.gql('community', APPROVE_REFERRAL, { input: { inviteeId: `${p}-new`, note: 'same household', idempotencyKey: key(p) } });
    expect(approved.errors).toBeUndefined();
    expect(approved.data!.approveReferral).toMatchObject({ status: 'CONVERTED', holdReason: 'SHARED_IDENTIFIER' });
    // The funnel is a snapshot: a filter asked for before is kept until the next refresh; a new filter computes now.
    const after = await ok(api, FUNNEL, { filter: { campaignId: campaign, referrerId: `${p}-ref` } });
    expect(after.referralConversion.overall).toEqual({ signedUp: { count: 1 }, converted: { count: 1 } });
  });
});

describe('a manager\'s decision on a held referral', () => {
  async function heldReferral(p: string) {
    const campaign = await givenCampaign(api, p);
    const code = await givenReferrer(api, `${p}-ref`, campaign, [{ kind: 'IP', value: '203.0.113.7' }, { kind: 'DEVICE', value: `d-${p}` }]);
    await ok(api, SIGNUP_HELD, { input: { customerId: `${p}-new`, code, at: iso(10), identifiers: [{ kind: 'DEVICE', value: `d-${p}` }], idempotencyKey: key(p) } });
  }

  test('replaying approveReferral with the same idempotency key returns the first result and changes nothing', async () => {
    const p = uniquePrefix('approve-replay');
    await heldReferral(p);
    const input = { inviteeId: `${p}-new`, idempotencyKey: key(p) };
    const first = await api.gql('community', APPROVE_REFERRAL, { input });
    const again = await api.gql('community', APPROVE_REFERRAL, { input });
    expect(first.errors).toBeUndefined();
    expect(again).toEqual(first);
    expect(first.data!.approveReferral.status).toBe('SIGNED_UP');
    // A new key for the same decision finds the referral no longer HELD.
    const other = await api.gql('community', APPROVE_REFERRAL, { input: { ...input, idempotencyKey: key(p) } });
    expect(failure(other)).toMatchObject({ code: 'CONFLICT', field: 'input.inviteeId' });
  });

  test('rejectReferral replays too, and the rejected referral credits nobody', async () => {
    const p = uniquePrefix('reject-replay');
    await heldReferral(p);
    const input = { inviteeId: `${p}-new`, note: 'ring', idempotencyKey: key(p) };
    const first = await api.gql('admin', REJECT_REFERRAL, { input });
    const again = await api.gql('admin', REJECT_REFERRAL, { input });
    expect(again).toEqual(first);
    expect(first.data!.rejectReferral).toMatchObject({ status: 'REJECTED', signedUpAt: null });
    expect((await ok(api, REFERRED_BY, { id: `${p}-new` })).customer.referredBy).toBeNull();
    const queue = await ok(api, REVIEW_QUEUE, { filter: { campaignId: `${p}-camp` } }, 'admin');
    expect(queue.reviewQueue.heldReferrals).toEqual([]);
  });

  test('the same key with another decision\'s input is a CONFLICT', async () => {
    const p = uniquePrefix('approve-other');
    await heldReferral(p);
    const idempotencyKey = key(p);
    await api.gql('community', APPROVE_REFERRAL, { input: { inviteeId: `${p}-new`, idempotencyKey } });
    const reused = await api.gql('community', APPROVE_REFERRAL, { input: { inviteeId: `${p}-new`, note: 'changed', idempotencyKey } });
    expect(failure(reused)).toMatchObject({ code: 'CONFLICT', field: 'input.idempotencyKey' });
  });

  test('a marketer or a service key cannot approve or reject, nor read the review queue', async () => {
    const p = uniquePrefix('roles');
    await heldReferral(p);
    for (const role of ['marketer', 'service'] as const) {
      expect(failure(await api.gql(role, APPROVE_REFERRAL, { input: { inviteeId: `${p}-new`, idempotencyKey: key(p) } })).code).toBe('FORBIDDEN');
      expect(failure(await api.gql(role, REJECT_REFERRAL, { input: { inviteeId: `${p}-new`, idempotencyKey: key(p) } })).code).toBe('FORBIDDEN');
      expect(failure(await api.gql(role, REVIEW_QUEUE, {})).code).toBe('FORBIDDEN');
    }
    expect((await ok(api, REFERRED_BY, { id: `${p}-new` })).customer.referredBy.status).toBe('HELD');
  });

  test('approving a referral that is not held is a CONFLICT naming the invitee; an unknown invitee is NOT_FOUND', async () => {
    const p = uniquePrefix('not-held');
    const campaign = await givenCampaign(api, p);
    const code = await givenReferrer(api, `${p}-ref`, campaign);
    await ok(api, SIGNUP_HELD, { input: { customerId: `${p}-new`, code, at: iso(10), idempotencyKey: key(p) } });
    expect(failure(await api.gql('community', APPROVE_REFERRAL, { input: { inviteeId: `${p}-new`, idempotencyKey: key(p) } }))).toMatchObject({ code: 'CONFLICT', field: 'input.inviteeId' });
    expect(failure(await api.gql('community', APPROVE_REFERRAL, { input: { inviteeId: `${p}-ghost`, idempotencyKey: key(p) } }))).toMatchObject({ code: 'NOT_FOUND', field: 'input.inviteeId' });
  });
});

test('too many identifiers, or an empty value, is BAD_USER_INPUT naming the field without echoing the value', async () => {
  const p = uniquePrefix('ident-bad');
  const many = Array.from({ length: 21 }, (_, i) => ({ kind: 'DEVICE', value: `d${i}` }));
  const tooMany = await api.gql('service', `mutation($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { id } }`, { input: { id: `${p}-a`, identifiers: many } });
  expect(failure(tooMany)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.identifiers' });
  const secret = `x${'y'.repeat(600)}`;
  const long = await api.gql('service', `mutation($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { id } }`, { input: { id: `${p}-a`, identifiers: [{ kind: 'EMAIL', value: secret }] } });
  expect(failure(long)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.identifiers[0].value' });
  expect(JSON.stringify(long)).not.toContain(secret);
});
