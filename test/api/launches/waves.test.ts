import { SIGNUP, failure, iso, key, ok } from '../../support/builders';
import { startTestApi, TestApi, uniquePrefix } from '../../support/services';
import { ADMIT_MEMBERS, ADMIT_WAVE, INVITE_ONLY, JOIN, POSITION, givenLaunch, inviteInput, range } from './launchSupport';

const REPORT = `
  query($campaignId: ID!) {
    launchReport(campaignId: $campaignId) {
      campaign { id }
      waiting
      overall { ...cohort }
      waves { ...cohort }
    }
  }
  fragment cohort on LaunchCohort {
    wave admitted members invitesGranted invitesSpent acceptedInvites acceptanceRate medianHoursToAcceptance kFactor neverInvitedShare depth
    generations { generation members inviters invitesSent accepted kFactor }
  }
`;

describe('admission in waves', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const position = async (customerId: string, campaignId: string) => (await ok(api, POSITION, { customerId, campaignId })).waitlistPosition;
  /** A waitlist campaign with `size` customers waiting (w0 first), and `others` not on it. */
  async function givenWaitlist(name: string, size: number, settings = {}, others: string[] = []) {
    const names = range(size).map((i) => `w${i}`);
    const id = await givenLaunch(api, uniquePrefix(name), [...names, ...others], { waitlist: true, inviteQuota: 2, ...settings });
    for (const waiter of names) await ok(api, JOIN, { input: { customerId: id(waiter), campaignId: id('camp'), at: iso(2) } });
    return { id, names };
  }

  test('a wave admits the top of the waitlist with the campaign quota, and those behind move up', async () => {
    const { id } = await givenWaitlist('wavetop', 5);
    const admitted = await ok(api, ADMIT_WAVE, { input: { campaignId: id('camp'), size: 3, at: iso(5), idempotencyKey: key('wave') } }, 'admin');
    expect(admitted.admitWave).toEqual({
      admittedCustomerIds: [id('w0'), id('w1'), id('w2')],
      wave: { number: 1, size: 3, at: iso(5), campaign: { id: id('camp') } },
    });
    expect(await position(id('w1'), id('camp'))).toMatchObject({ status: 'MEMBER', admittedInWave: 1, invitationsLeft: 2, position: null });
    expect(await position(id('w4'), id('camp'))).toMatchObject({ status: 'WAITING', position: 2, waiting: 2, nextWaveSize: 3, referralsToNextWave: 0 });
    const second = await ok(api, ADMIT_WAVE, { input: { campaignId: id('camp'), size: 10, idempotencyKey: key('wave') } }, 'admin');
    expect(second.admitWave.wave).toMatchObject({ number: 2, size: 2 });
    const empty = await api.gql('admin', ADMIT_WAVE, { input: { campaignId: id('camp'), size: 1, idempotencyKey: key('wave') } });
    expect(failure(empty)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.campaignId' });
  });

  test('a wave replayed with the same key returns the first wave and admits nobody twice', async () => {
    const { id } = await givenWaitlist('wavereplay', 6);
    const input = { campaignId: id('camp'), size: 2, at: iso(5), idempotencyKey: key('wave') };
    const first = await ok(api, ADMIT_WAVE, { input }, 'admin');
    const replays = await Promise.all(range(5).map(() => api.gql('community', ADMIT_WAVE, { input })));
    for (const replay of replays) expect(replay.data!.admitWave).toEqual(first.admitWave);
    expect(await position(id('w2'), id('camp'))).toMatchObject({ status: 'WAITING', position: 1, waiting: 4 });
    const other = await api.gql('admin', ADMIT_WAVE, { input: { ...input, size: 3 } });
    expect(failure(other)).toMatchObject({ code: 'CONFLICT', field: 'input.idempotencyKey' });
    expect((await position(id('w2'), id('camp'))).waiting).toBe(4);
  });

  test('concurrent waves with different keys admit everyone at most once, in numbered waves', async () => {
    const { id, names } = await givenWaitlist('waverace', 9);
    const bodies = await Promise.all(range(5).map(() => api.gql('admin', ADMIT_WAVE, { input: { campaignId: id('camp'), size: 2, idempotencyKey: key('wave') } })));
    const waves = bodies.map((body) => body.data!.admitWave);
    expect(waves.map((wave) => wave.wave.number).sort()).toEqual([1, 2, 3, 4, 5]);
    const admitted = waves.flatMap((wave) => wave.admittedCustomerIds as string[]);
    expect(admitted).toHaveLength(9);
    expect(new Set(admitted).size).toBe(9);
    // Earlier waves took the better-placed.
    const byNumber = [...waves].sort((a, b) => a.wave.number - b.wave.number).flatMap((wave) => wave.admittedCustomerIds);
    expect(byNumber).toEqual(names.map(id));
  });

  test('admitWave checks its input and roles', async () => {
    const { id } = await givenWaitlist('wavebad', 1);
    const plain = await givenLaunch(api, uniquePrefix('waveplain'), [], { inviteQuota: 3 });
    const input = { campaignId: id('camp'), size: 1, idempotencyKey: key('wave') };
    for (const role of ['service', 'marketer'] as const) expect(failure(await api.gql(role, ADMIT_WAVE, { input })).code).toBe('FORBIDDEN');
    expect(failure(await api.gql('admin', ADMIT_WAVE, { input: { ...input, size: 0 } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.size' });
    expect(failure(await api.gql('admin', ADMIT_WAVE, { input: { ...input, size: 10_001 } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.size' });
    expect(failure(await api.gql('admin', ADMIT_WAVE, { input: { ...input, idempotencyKey: '' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' });
    expect(failure(await api.gql('admin', ADMIT_WAVE, { input: { ...input, campaignId: id('nope') } }))).toMatchObject({ code: 'NOT_FOUND', field: 'input.campaignId' });
    expect(failure(await api.gql('admin', ADMIT_WAVE, { input: { ...input, campaignId: plain('camp') } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.campaignId' });
  });

  test('the launch report counts invites against quota, acceptance, K-factor and chains per wave', async () => {
    const { id } = await givenWaitlist('wavereport', 2, { inviteQuota: 3 }, ['a', 'b', 'c', 'd', 'founder']);
    await ok(api, ADMIT_MEMBERS, { input: { campaignId: id('camp'), customerIds: [id('founder')] } }, 'admin');
    await ok(api, ADMIT_WAVE, { input: { campaignId: id('camp'), size: 2, at: iso(3), idempotencyKey: key('wave') } }, 'admin');
    // Wave 1: w0 invites a, b (a accepts after 24 h); a (generation 1) invites c, who accepts after 48 h. w1 never invites.
    await ok(api, INVITE_ONLY, { input: inviteInput(id('w0'), id('camp'), id('a'), 4) });
    await ok(api, INVITE_ONLY, { input: inviteInput(id('w0'), id('camp'), id('b'), 4) });
    await ok(api, SIGNUP, { input: { customerId: id('a'), at: iso(5), idempotencyKey: key('signup') } });
    await ok(api, INVITE_ONLY, { input: inviteInput(id('a'), id('camp'), id('c'), 6) });
    await ok(api, SIGNUP, { input: { customerId: id('c'), at: iso(8), idempotencyKey: key('signup') } });
    // Founders: one invite, not accepted.
    await ok(api, INVITE_ONLY, { input: inviteInput(id('founder'), id('camp'), id('d'), 4) });

    const report = (await ok(api, REPORT, { campaignId: id('camp') })).launchReport;
    expect(report.waiting).toBe(0);
    const [founders, wave1] = report.waves;
    expect(founders).toMatchObject({ wave: 0, admitted: 1, members: 1, invitesGranted: 3, invitesSpent: 1, acceptedInvites: 0, acceptanceRate: 0, kFactor: 0, neverInvitedShare: 0, depth: 0 });
    expect(wave1).toMatchObject({
      wave: 1, admitted: 2, members: 4, invitesGranted: 12, invitesSpent: 3, acceptedInvites: 2, medianHoursToAcceptance: 36, kFactor: 0.5, neverInvitedShare: 0.5, depth: 2,
    });
    expect(wave1.acceptanceRate).toBeCloseTo(2 / 3);
    expect(wave1.generations).toEqual([
      { generation: 0, members: 2, inviters: 1, invitesSent: 2, accepted: 1, kFactor: 0.5 },
      { generation: 1, members: 1, inviters: 1, invitesSent: 1, accepted: 1, kFactor: 1 },
      { generation: 2, members: 1, inviters: 0, invitesSent: 0, accepted: 0, kFactor: 0 },
    ]);
    expect(report.overall).toMatchObject({ wave: null, members: 5, invitesSpent: 4, acceptedInvites: 2, depth: 2 });
    expect(failure(await api.gql('marketer', REPORT, { campaignId: id('nope') }))).toMatchObject({ code: 'NOT_FOUND', field: 'campaignId' });
  });

  test('a customer\'s places in launches are part of their data export', async () => {
    const { id } = await givenWaitlist('waveexport', 2);
    await ok(api, ADMIT_WAVE, { input: { campaignId: id('camp'), size: 1, at: iso(5), idempotencyKey: key('wave') } }, 'admin');
    const exported = (await ok(api, 'query($id: ID!) { exportCustomer(id: $id) }', { id: id('w0') }, 'admin')).exportCustomer;
    expect(exported.launchPlaces).toEqual([
      { campaignId: id('camp'), status: 'MEMBER', origin: 'WAVE', joinedAt: iso(2), admittedAt: iso(5), wave: 1, waitlistJoinNumber: 1, invitationQuota: null, invitationsSpent: 0 },
    ]);
  });
});
