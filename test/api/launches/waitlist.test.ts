import { ISSUE_CODE, SIGNUP, failure, iso, key, ok } from '../../support/builders';
import { startTestApi, TestApi, uniquePrefix } from '../../support/services';
import { ADMIT_MEMBERS, INVITE_ONLY, JOIN, POSITION, givenLaunch, inviteInput, range } from './launchSupport';

interface Position {
  status: string;
  position: number | null;
  waiting: number;
  creditedReferrals: number;
  nextWaveSize: number | null;
  referralsToNextWave: number | null;
}

describe('waitlists that move by referring', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const positionOf = async (customerId: string, campaignId: string): Promise<Position> =>
    (await ok(api, POSITION, { customerId, campaignId })).waitlistPosition;
  const join = (customerId: string, campaignId: string) => ok(api, JOIN, { input: { customerId, campaignId, at: iso(2) } });
  const codeOf = async (customerId: string, campaignId: string): Promise<string> =>
    (await ok(api, ISSUE_CODE, { input: { customerId, campaignId, idempotencyKey: key('code') } })).issueReferralCode.code;
  const signUpWith = (customerId: string, code: string) => ok(api, SIGNUP, { input: { customerId, code, at: iso(3), idempotencyKey: key('signup') } });

  test('customers join in order, and joining again keeps the place', async () => {
    const names = ['a', 'b', 'c', 'd'];
    const id = await givenLaunch(api, uniquePrefix('wljoin'), names, { waitlist: true });
    for (const [index, name] of names.entries()) expect((await join(id(name), id('camp'))).joinWaitlist).toEqual({ status: 'WAITING', position: index + 1, waiting: index + 1 });
    expect((await join(id('b'), id('camp'))).joinWaitlist).toEqual({ status: 'WAITING', position: 2, waiting: 4 });
  });

  test('each credited referral moves the referrer up moveUpPerReferral places, and the invitee joins at the end', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const id = await givenLaunch(api, uniquePrefix('wlmove'), [...names, 'friend1', 'friend2'], { waitlist: true, moveUpPerReferral: 3 });
    for (const name of names) await join(id(name), id('camp'));
    const code = await codeOf(id('f'), id('camp'));
    const signup = await signUpWith(id('friend1'), code);
    expect(signup.recordSignup.referral.referrer.id).toBe(id('f'));
    expect(await positionOf(id('f'), id('camp'))).toMatchObject({ position: 3, creditedReferrals: 1, waiting: 7 });
    expect((await positionOf(id('c'), id('camp'))).position).toBe(4);
    expect((await positionOf(id('friend1'), id('camp'))).position).toBe(7);
    await signUpWith(id('friend2'), code);
    // From 3 up three more places: past a and b to the front.
    expect((await positionOf(id('f'), id('camp'))).position).toBe(1);
    expect((await positionOf(id('a'), id('camp'))).position).toBe(2);
  });

  test('referralsToNextWave is how many credited referrals bring the customer within the next wave', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const id = await givenLaunch(api, uniquePrefix('wlnext'), [...names, 'x1', 'x2', 'x3'], { waitlist: true, moveUpPerReferral: 2, waveSize: 2 });
    for (const name of names) await join(id(name), id('camp'));
    expect(await positionOf(id('b'), id('camp'))).toMatchObject({ position: 2, nextWaveSize: 2, referralsToNextWave: 0 });
    const needed = (await positionOf(id('f'), id('camp'))).referralsToNextWave!;
    // f (6th) to overtake b (2nd): 6 − 2·2 = 2 ties with b, and the tie goes to the one who referred.
    expect(needed).toBe(2);
    const code = await codeOf(id('f'), id('camp'));
    for (const friend of ['x1', 'x2'].slice(0, needed - 1)) await signUpWith(id(friend), code);
    expect((await positionOf(id('f'), id('camp'))).position).toBeGreaterThan(2);
    await signUpWith(id('x2'), code);
    expect(await positionOf(id('f'), id('camp'))).toMatchObject({ position: 2, referralsToNextWave: 0 });
  });

  test('positions under concurrent joins and referrals form exactly 1..n', async () => {
    const waiters = range(10).map((i) => `w${i}`);
    const joiners = range(30).map((i) => `j${i}`);
    const friends = range(20).map((i) => `f${i}`);
    const id = await givenLaunch(api, uniquePrefix('wlrace'), [...waiters, ...joiners, ...friends], { waitlist: true, moveUpPerReferral: 2 });
    for (const name of waiters) await join(id(name), id('camp'));
    const codes = await Promise.all(waiters.map((name) => codeOf(id(name), id('camp'))));
    await Promise.all([
      ...joiners.map((name) => join(id(name), id('camp'))),
      ...friends.map((name, i) => signUpWith(id(name), codes[i % codes.length])),
    ]);
    const everyone = [...waiters, ...joiners, ...friends];
    const positions = await Promise.all(everyone.map((name) => positionOf(id(name), id('camp'))));
    for (const position of positions) expect(position).toMatchObject({ status: 'WAITING', waiting: everyone.length });
    expect(positions.map((position) => position.position).sort((a, b) => a! - b!)).toEqual(range(everyone.length).map((i) => i + 1));
    for (const [i, name] of waiters.entries()) expect((await positionOf(id(name), id('camp'))).creditedReferrals).toBe(friends.filter((_f, j) => j % codes.length === i).length);
  });

  test('with both a quota and a waitlist, a waiting customer refers for free and their invitee waits, while a member\'s invitee is admitted', async () => {
    const id = await givenLaunch(api, uniquePrefix('wlboth'), ['member', 'waiter', 'a', 'b', 'c', 'd'], { waitlist: true, inviteQuota: 1, moveUpPerReferral: 1 });
    await ok(api, ADMIT_MEMBERS, { input: { campaignId: id('camp'), customerIds: [id('member')] } }, 'admin');
    await join(id('a'), id('camp'));
    await join(id('waiter'), id('camp'));
    for (const friend of ['b', 'c']) await ok(api, INVITE_ONLY, { input: inviteInput(id('waiter'), id('camp'), id(friend)) });
    await ok(api, INVITE_ONLY, { input: inviteInput(id('member'), id('camp'), id('d')) });
    for (const friend of ['b', 'd']) await ok(api, SIGNUP, { input: { customerId: id(friend), at: iso(3), idempotencyKey: key('signup') } });
    expect(await positionOf(id('waiter'), id('camp'))).toMatchObject({ status: 'WAITING', position: 1, creditedReferrals: 1, waiting: 3 });
    expect(await positionOf(id('b'), id('camp'))).toMatchObject({ status: 'WAITING', position: 3 });
    expect(await positionOf(id('d'), id('camp'))).toMatchObject({ status: 'MEMBER', position: null });
  });

  test('waitlistPosition and joinWaitlist name the field at fault', async () => {
    const id = await givenLaunch(api, uniquePrefix('wlbad'), ['a'], { waitlist: true });
    const plain = await givenLaunch(api, uniquePrefix('wlplain'), ['a'], {});
    expect(failure(await api.gql('service', POSITION, { customerId: id('ghost'), campaignId: id('camp') }))).toMatchObject({ code: 'NOT_FOUND', field: 'customerId' });
    expect(failure(await api.gql('service', POSITION, { customerId: id('a'), campaignId: id('nope') }))).toMatchObject({ code: 'NOT_FOUND', field: 'campaignId' });
    expect(failure(await api.gql('service', POSITION, { customerId: 'bad id', campaignId: id('camp') }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customerId' });
    expect(failure(await api.gql('service', JOIN, { input: { customerId: plain('a'), campaignId: plain('camp') } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.campaignId' });
    expect(failure(await api.gql('service', JOIN, { input: { customerId: id('ghost'), campaignId: id('camp') } }))).toMatchObject({ code: 'NOT_FOUND', field: 'input.customerId' });
    expect(failure(await api.gql('marketer', JOIN, { input: { customerId: id('a'), campaignId: id('camp') } })).code).toBe('FORBIDDEN');
    expect((await positionOf(plain('a'), plain('camp'))).status).toBe('NOT_JOINED');
  });
});
