import { CONNECT, FOLLOW, INVITE, ISSUE_CODE, PURCHASE, REVIEW, SIGNUP, failure, givenCustomers, iso, key, ok } from '../support/builders';
import { startTestApi, TestApi, uniquePrefix } from '../support/services';

const EXPORT = `
  query($id: ID!) {
    exportCustomer(id: $id)
  }
`;

describe('data-subject access: exportCustomer', () => {
  let api: TestApi;
  const prefix = uniquePrefix('export');
  let id: (name: string) => string;

  beforeAll(async () => {
    api = await startTestApi();
    id = await givenCustomers(api, prefix, ['ann', 'bob', 'cat']);
    await ok(api, CONNECT, { input: { customerId: id('ann'), otherId: id('bob'), strength: 0.8, since: iso(2), idempotencyKey: key('x') } });
    await ok(api, FOLLOW, { input: { followerId: id('ann'), followedId: id('cat'), at: iso(2), idempotencyKey: key('x') } });
    await ok(api, FOLLOW, { input: { followerId: id('bob'), followedId: id('ann'), at: iso(3), idempotencyKey: key('x') } });
    // Bob invites Ann, who signs up through him; Ann invites Cat and has a code of her own.
    await ok(api, INVITE, { input: { referrerId: id('bob'), campaignId: id('camp'), invitee: { id: id('ann') }, channel: 'sms', at: iso(3), idempotencyKey: key('x') } });
    await ok(api, SIGNUP, { input: { customerId: id('ann'), at: iso(4), idempotencyKey: key('x') } });
    await ok(api, INVITE, { input: { referrerId: id('ann'), campaignId: id('camp'), invitee: { id: id('cat') }, channel: 'email', at: iso(5), idempotencyKey: key('x') } });
    await ok(api, ISSUE_CODE, { input: { customerId: id('ann'), campaignId: id('camp'), idempotencyKey: key('x') } });
    await ok(api, PURCHASE, { input: { customerId: id('ann'), productId: `${prefix}-p`, orderId: `${prefix}-o1`, amount: 12.5, currency: 'EUR', at: iso(6), idempotencyKey: key('x') } });
    await ok(api, REVIEW, { input: { customerId: id('ann'), productId: `${prefix}-p`, rating: 5, text: 'Lovely tea.', recommend: 9, at: iso(7), idempotencyKey: key('x') } });
  });

  afterAll(async () => {
    await api.close();
  });

  it('gives an admin everything stored about the customer', async () => {
    const { exportCustomer: exported } = await ok(api, EXPORT, { id: id('ann') }, 'admin');
    expect(exported.customerId).toBe(id('ann'));
    expect(exported.profile).toMatchObject({ id: id('ann'), name: 'ann', stage: 'BUYER', signedUpAt: iso(4), createdAt: expect.any(String) });
    expect(exported.connections).toEqual([{ customerId: id('bob'), strength: 0.8, since: iso(2) }]);
    expect(exported.following).toEqual([{ customerId: id('cat'), at: iso(2) }]);
    expect(exported.followers).toEqual([{ customerId: id('bob'), at: iso(3) }]);
    expect(exported.referralsReceived).toEqual([
      expect.objectContaining({ referrerId: id('bob'), inviteeId: id('ann'), campaignId: id('camp'), channel: 'sms', status: 'CONVERTED', invitedAt: iso(3), signedUpAt: iso(4), firstPurchaseAt: iso(6) }),
    ]);
    expect(exported.referralsSent).toEqual([
      expect.objectContaining({ referrerId: id('ann'), inviteeId: id('cat'), campaignId: id('camp'), channel: 'email', status: 'INVITED', invitedAt: iso(5) }),
    ]);
    expect(exported.referralCodes).toEqual([{ code: expect.any(String), campaignId: id('camp') }]);
    expect(exported.purchases).toEqual([expect.objectContaining({ orderId: `${prefix}-o1`, amount: 12.5, currency: 'EUR', at: iso(6) })]);
    expect(exported.reviews).toEqual([expect.objectContaining({ productId: `${prefix}-p`, rating: 5, text: 'Lovely tea.', recommend: 9, at: iso(7) })]);
    expect(exported.identifiers).toEqual([]);
    // Each of the nine keyed events above names Ann (a connection, follow or invite names both ends).
    expect(exported.idempotencyKeys.map((stored: { kind: string }) => stored.kind).sort()).toEqual([
      'CONNECT_CUSTOMERS', 'FOLLOW', 'FOLLOW', 'ISSUE_REFERRAL_CODE', 'RECORD_INVITE', 'RECORD_INVITE', 'RECORD_PURCHASE', 'RECORD_REVIEW', 'RECORD_SIGNUP',
    ]);
    expect(exported.idempotencyKeys[0]).toEqual({ kind: expect.any(String), at: expect.any(String) });
    expect(JSON.stringify(exported.idempotencyKeys)).not.toContain('result');
  });

  it.each(['service', 'marketer', 'community'] as const)('refuses the %s role', async (role) => {
    expect(failure(await api.gql(role, EXPORT, { id: id('ann') }))).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('says NOT_FOUND naming `id` for an unknown customer', async () => {
    expect(failure(await api.gql('admin', EXPORT, { id: `${prefix}-nobody` }))).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
  });
});
