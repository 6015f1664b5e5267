import { cypher } from '../../../graph/neo4j';
import { BATCH, CAMPAIGN, ISSUE_CODE, PURCHASE, SIGNUP, failure, iso, key, ok } from '../../support/builders';
import { GraphQLBody, startTestApi, TestApi, uniquePrefix } from '../../support/services';
import { ADMIT_MEMBERS, INVITE_ONLY, POSITION, givenLaunch, inviteInput, range } from './launchSupport';

const REFERRALS_FROM = cypher<{ n: number }>(
  'test.referralsFrom',
  'MATCH (:Customer {id: $id})-[r:REFERRED {campaign: $campaignId}]->() RETURN count(r) AS n',
);

const succeeded = (body: GraphQLBody) => !body.errors && body.data !== null && body.data !== undefined;

describe('invite quotas of invite-only campaigns', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const left = async (customerId: string, campaignId: string) =>
    (await ok(api, POSITION, { customerId, campaignId })).waitlistPosition as { status: string; invitationsLeft: number | null };

  test('twenty concurrent invites from a member with three invitations left admit exactly three; the others are QUOTA_EXCEEDED naming the referrer', async () => {
    const friends = range(22).map((i) => `f${i}`);
    const id = await givenLaunch(api, uniquePrefix('quota20'), ['founder', ...friends], { inviteQuota: 5 });
    await ok(api, ADMIT_MEMBERS, { input: { campaignId: id('camp'), customerIds: [id('founder')] } }, 'admin');
    for (const friend of friends.slice(0, 2)) await ok(api, INVITE_ONLY, { input: inviteInput(id('founder'), id('camp'), id(friend)) });
    expect((await left(id('founder'), id('camp'))).invitationsLeft).toBe(3);

    const bodies = await Promise.all(friends.slice(2).map((friend) => api.gql('service', INVITE_ONLY, { input: inviteInput(id('founder'), id('camp'), id(friend)) })));
    expect(bodies.filter(succeeded)).toHaveLength(3);
    const refused = bodies.filter((body) => !succeeded(body));
    expect(refused).toHaveLength(17);
    for (const body of refused) expect(failure(body)).toMatchObject({ code: 'QUOTA_EXCEEDED', field: 'input.referrerId' });
    expect((await api.graph.read(REFERRALS_FROM, { id: id('founder'), campaignId: id('camp') }))[0].n).toBe(5);
    expect((await left(id('founder'), id('camp'))).invitationsLeft).toBe(0);
  });

  test('inviting the same person again spends no invitation, and a customer who is not a member holds none', async () => {
    const id = await givenLaunch(api, uniquePrefix('quotaagain'), ['founder', 'outsider', 'a', 'b'], { inviteQuota: 1 });
    await ok(api, ADMIT_MEMBERS, { input: { campaignId: id('camp'), customerIds: [id('founder')] } }, 'admin');
    await ok(api, INVITE_ONLY, { input: inviteInput(id('founder'), id('camp'), id('a')) });
    await ok(api, INVITE_ONLY, { input: inviteInput(id('founder'), id('camp'), id('a'), 3) });
    expect(failure(await api.gql('service', INVITE_ONLY, { input: inviteInput(id('founder'), id('camp'), id('b')) }))).toMatchObject({ code: 'QUOTA_EXCEEDED', field: 'input.referrerId' });
    const outsider = failure(await api.gql('service', INVITE_ONLY, { input: inviteInput(id('outsider'), id('camp'), id('b')) }));
    expect(outsider).toMatchObject({ code: 'QUOTA_EXCEEDED', field: 'input.referrerId' });
    expect(outsider.message).toMatch(/holds no invitations/);
  });

  test('an accepted invite admits the invitee as a member holding the campaign quota, one generation below the inviter', async () => {
    const id = await givenLaunch(api, uniquePrefix('quotaaccept'), ['founder', 'friend', 'x', 'y', 'z'], { inviteQuota: 2 });
    await ok(api, ADMIT_MEMBERS, { input: { campaignId: id('camp'), customerIds: [id('founder')] } }, 'admin');
    await ok(api, INVITE_ONLY, { input: inviteInput(id('founder'), id('camp'), id('friend')) });
    expect((await left(id('friend'), id('camp'))).status).toBe('NOT_JOINED');
    const signup = await ok(api, SIGNUP, { input: { customerId: id('friend'), at: iso(3), idempotencyKey: key('signup') } });
    expect(signup.recordSignup.referral.referrer.id).toBe(id('founder'));
    expect(await left(id('friend'), id('camp'))).toMatchObject({ status: 'MEMBER', invitationsLeft: 2 });
    await ok(api, INVITE_ONLY, { input: inviteInput(id('friend'), id('camp'), id('x'), 4) });
    await ok(api, INVITE_ONLY, { input: inviteInput(id('friend'), id('camp'), id('y'), 4) });
    expect(failure(await api.gql('service', INVITE_ONLY, { input: inviteInput(id('friend'), id('camp'), id('z'), 4) })).code).toBe('QUOTA_EXCEEDED');
    expect((await left(id('founder'), id('camp'))).invitationsLeft).toBe(1);
  });

  test('each credited invitee who buys earns the inviter earnedInvitesPerConvertedInvitee more invitations', async () => {
    const id = await givenLaunch(api, uniquePrefix('quotaearn'), ['founder', 'buyer', 'idle', 'next'], { inviteQuota: 2, earnedInvitesPerConvertedInvitee: 3 });
    await ok(api, ADMIT_MEMBERS, { input: { campaignId: id('camp'), customerIds: [id('founder')] } }, 'admin');
    await ok(api, INVITE_ONLY, { input: inviteInput(id('founder'), id('camp'), id('buyer')) });
    await ok(api, INVITE_ONLY, { input: inviteInput(id('founder'), id('camp'), id('idle')) });
    expect((await left(id('founder'), id('camp'))).invitationsLeft).toBe(0);
    await ok(api, SIGNUP, { input: { customerId: id('buyer'), at: iso(3), idempotencyKey: key('signup') } });
    await ok(api, SIGNUP, { input: { customerId: id('idle'), at: iso(3), idempotencyKey: key('signup') } });
    // Signing up earns nothing; a first purchase does.
    expect((await left(id('founder'), id('camp'))).invitationsLeft).toBe(0);
    await ok(api, PURCHASE, { input: { customerId: id('buyer'), productId: id('p'), orderId: id('o1'), amount: 10, currency: 'EUR', at: iso(4), idempotencyKey: key('buy') } });
    await ok(api, PURCHASE, { input: { customerId: id('buyer'), productId: id('p'), orderId: id('o2'), amount: 10, currency: 'EUR', at: iso(5), idempotencyKey: key('buy') } });
    expect((await left(id('founder'), id('camp'))).invitationsLeft).toBe(3);
    await ok(api, INVITE_ONLY, { input: inviteInput(id('founder'), id('camp'), id('next'), 6) });
    expect((await left(id('founder'), id('camp'))).invitationsLeft).toBe(2);
  });

  test('a sign-up by code that no invite preceded spends the code owner\'s invitation, and is QUOTA_EXCEEDED on input.code beyond it', async () => {
    const id = await givenLaunch(api, uniquePrefix('quotacode'), ['founder', 'first', 'second'], { inviteQuota: 1 });
    await ok(api, ADMIT_MEMBERS, { input: { campaignId: id('camp'), customerIds: [id('founder')] } }, 'admin');
    const { code } = (await ok(api, ISSUE_CODE, { input: { customerId: id('founder'), campaignId: id('camp'), idempotencyKey: key('code') } })).issueReferralCode;
    await ok(api, SIGNUP, { input: { customerId: id('first'), code, at: iso(3), idempotencyKey: key('signup') } });
    const refused = await api.gql('service', SIGNUP, { input: { customerId: id('second'), code, at: iso(3), idempotencyKey: key('signup') } });
    expect(failure(refused)).toMatchObject({ code: 'QUOTA_EXCEEDED', field: 'input.code' });
    expect((await left(id('first'), id('camp'))).status).toBe('MEMBER');
    expect((await left(id('second'), id('camp'))).status).toBe('NOT_JOINED');
  });

  test('a quota set per member by admitMembers replaces the campaign quota for that member', async () => {
    const id = await givenLaunch(api, uniquePrefix('quotaown'), ['vip', 'plain'], { inviteQuota: 2 });
    await ok(api, ADMIT_MEMBERS, { input: { campaignId: id('camp'), customerIds: [id('vip'), id('plain')] } }, 'admin');
    const again = await ok(api, ADMIT_MEMBERS, { input: { campaignId: id('camp'), customerIds: [id('vip')], inviteQuota: 10 } }, 'admin');
    expect(again.admitMembers.admittedCustomerIds).toEqual([]);
    expect((await left(id('vip'), id('camp'))).invitationsLeft).toBe(10);
    expect((await left(id('plain'), id('camp'))).invitationsLeft).toBe(2);
  });

  test('recordEvents keeps the quota: the invite beyond it fails the whole batch, named by its index', async () => {
    const id = await givenLaunch(api, uniquePrefix('quotabatch'), ['founder', 'a', 'b', 'c'], { inviteQuota: 2 });
    await ok(api, ADMIT_MEMBERS, { input: { campaignId: id('camp'), customerIds: [id('founder')] } }, 'admin');
    const events = ['a', 'b', 'c'].map((name) => ({ recordInvite: inviteInput(id('founder'), id('camp'), id(name)) }));
    const body = await api.gql('service', BATCH, { events });
    expect(failure(body)).toMatchObject({ code: 'QUOTA_EXCEEDED', field: 'events[2].recordInvite.referrerId' });
    expect((await api.graph.read(REFERRALS_FROM, { id: id('founder'), campaignId: id('camp') }))[0].n).toBe(0);
    await ok(api, BATCH, { events: events.slice(0, 2) });
    expect((await left(id('founder'), id('camp'))).invitationsLeft).toBe(0);
  });

  test('bad launch settings and admissions are BAD_USER_INPUT or NOT_FOUND naming the field', async () => {
    const prefix = uniquePrefix('quotabad');
    const base = { id: `${prefix}-camp`, name: 'Launch', startsAt: iso(1, 0) };
    for (const [field, value] of [['inviteQuota', -1], ['moveUpPerReferral', -2], ['earnedInvitesPerConvertedInvitee', 1001], ['waveSize', 0]] as const) {
      expect(failure(await api.gql('service', CAMPAIGN, { input: { ...base, [field]: value } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: `input.${field}` });
    }
    const id = await givenLaunch(api, prefix, ['a'], { inviteQuota: 1 });
    const missing = await api.gql('admin', ADMIT_MEMBERS, { input: { campaignId: id('camp'), customerIds: [id('a'), id('ghost')] } });
    expect(failure(missing)).toMatchObject({ code: 'NOT_FOUND', field: 'input.customerIds[1]' });
    expect(failure(await api.gql('admin', ADMIT_MEMBERS, { input: { campaignId: id('nope'), customerIds: [id('a')] } }))).toMatchObject({ code: 'NOT_FOUND', field: 'input.campaignId' });
    expect(failure(await api.gql('admin', ADMIT_MEMBERS, { input: { campaignId: id('camp'), customerIds: [] } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.customerIds' });
    expect(failure(await api.gql('admin', ADMIT_MEMBERS, { input: { campaignId: id('camp'), customerIds: [id('a')], inviteQuota: -1 } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.inviteQuota' });
    const plain = await givenLaunch(api, uniquePrefix('quotaplain'), ['a'], {});
    expect(failure(await api.gql('admin', ADMIT_MEMBERS, { input: { campaignId: plain('camp'), customerIds: [plain('a')] } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.campaignId' });
  });

  test('only the admin and community roles admit members', async () => {
    const id = await givenLaunch(api, uniquePrefix('quotarole'), ['a', 'b'], { inviteQuota: 1 });
    for (const role of ['service', 'marketer'] as const) {
      expect(failure(await api.gql(role, ADMIT_MEMBERS, { input: { campaignId: id('camp'), customerIds: [id('a')] } })).code).toBe('FORBIDDEN');
    }
    const admitted = await api.gql('community', ADMIT_MEMBERS, { input: { campaignId: id('camp'), customerIds: [id('a'), id('b')] } });
    expect(admitted.data!.admitMembers).toEqual({ admittedCustomerIds: [id('a'), id('b')], campaign: { id: id('camp'), inviteQuota: 1 } });
  });
});
