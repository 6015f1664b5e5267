import { SNAPSHOT_REQUESTS_KEY, snapshotStoreFor } from '../../../server/cache/snapshots';
import { JobScheduler } from '../../../server/jobs/scheduler';
import { snapshotRefreshJob } from '../../../server/jobs/snapshotRefresh';
import { createLogger } from '../../../server/logger';
import { CAMPAIGN, INVITE, iso, key, ok, SIGNUP, UPSERT } from '../../support/builders';
import { startTestApi, TestApi, uniquePrefix } from '../../support/services';
import { refreshSnapshotsOf } from '../../support/snapshots';

const CONVERSION = `
  query($filter: ConversionFilter) {
    referralConversion(filter: $filter) {
      asOf
      overall {
        referrals
        invited { count }
        signedUp { count }
      }
    }
  }
`;
const RANKING = `query($campaign: ID, $limit: Int!) {
  influencerRanking(by: REFERRAL_REACH, campaignId: $campaign, limit: $limit) { asOf entries { rank score customer { id } } }
  topInfluencers(by: REFERRAL_REACH, campaignId: $campaign, limit: $limit) { rank score customer { id } }
}`;

/** Root r invited a and b, who signed up; later writes add to the campaign, and the snapshots lag until refreshed. */
describe('rankings and the referral funnel are served from snapshots with their asOf', () => {
  let api: TestApi;
  let secondInstance: TestApi;
  const p = uniquePrefix('snap');
  const id = (name: string) => `${p}-${name}`;
  const campaign = id('camp');
  const email = `${p}-secret@example.com`;
  const name = `Secret Name ${p}`;
  const filter = { campaignId: campaign };
  const invite = (from: string, to: string, day: number) =>
    ok(api, INVITE, { input: { referrerId: id(from), campaignId: campaign, invitee: { id: id(to), email: `${to}-${email}`, name: `${name} ${to}` }, channel: 'email', at: iso(day), idempotencyKey: key('i') } });
  const signup = (who: string, day: number) => ok(api, SIGNUP, { input: { customerId: id(who), at: iso(day), idempotencyKey: key('s') } });
  const conversion = async (on = api) => (await ok(on, CONVERSION, { filter })).referralConversion;

  beforeAll(async () => {
    api = await startTestApi();
    secondInstance = await startTestApi();
    await ok(api, CAMPAIGN, { input: { id: campaign, name: 'Snapshots', startsAt: iso(1, 0), endsAt: '2099-01-01T00:00:00Z', attributionWindowDays: 30 } });
    await ok(api, UPSERT, { input: { id: id('r'), email, name } });
    await invite('r', 'a', 1);
    await invite('r', 'b', 1);
    await signup('a', 2);
    await signup('b', 2);
  });
  afterAll(async () => {
    await api.close();
    await secondInstance.close();
  });

  let first: { asOf: string; overall: { referrals: number; invited: { count: number }; signedUp: { count: number } } };

  test('after a write, referralConversion answers with the previous answer and an asOf from before the write', async () => {
    first = await conversion();
    expect(first.overall).toEqual({ referrals: 2, invited: { count: 2 }, signedUp: { count: 2 } });
    const beforeWrite = Date.now();
    await invite('r', 'c', 3);
    const afterWrite = await conversion();
    expect(afterWrite).toEqual(first);
    expect(Date.parse(afterWrite.asOf)).toBeLessThanOrEqual(beforeWrite);
  });

  test('after the refresh job runs, the answer reflects the write and its asOf has moved', async () => {
    expect(await refreshSnapshotsOf(api, p)).toBeGreaterThanOrEqual(1);
    const refreshed = await conversion();
    expect(refreshed.overall).toEqual({ referrals: 3, invited: { count: 3 }, signedUp: { count: 2 } });
    expect(Date.parse(refreshed.asOf)).toBeGreaterThan(Date.parse(first.asOf));
  });

  test('a second instance serves the same snapshot, asOf included', async () => {
    expect(await conversion(secondInstance)).toEqual(await conversion());
  });

  test('influencerRanking and topInfluencers share one snapshot, sliced to the limit, and lag writes until the refresh', async () => {
    const before = await ok(api, RANKING, { campaign, limit: 100 });
    expect(before.influencerRanking.entries).toEqual([{ rank: 1, score: 2, customer: { id: id('r') } }]);
    expect(before.topInfluencers).toEqual(before.influencerRanking.entries);

    await invite('a', 'd', 4);
    await signup('d', 5); // a now has a tree of 1, r one of 3
    const stale = await ok(api, RANKING, { campaign, limit: 100 });
    expect(stale).toEqual(before);

    await refreshSnapshotsOf(api, p);
    const fresh = await ok(api, RANKING, { campaign, limit: 100 });
    expect(fresh.influencerRanking.entries).toEqual([
      { rank: 1, score: 3, customer: { id: id('r') } },
      { rank: 2, score: 1, customer: { id: id('a') } },
    ]);
    expect(Date.parse(fresh.influencerRanking.asOf)).toBeGreaterThan(Date.parse(before.influencerRanking.asOf));
    const top = await ok(secondInstance, RANKING, { campaign, limit: 1 });
    expect(top.influencerRanking).toEqual({ asOf: fresh.influencerRanking.asOf, entries: [fresh.influencerRanking.entries[0]] });
    expect(top.topInfluencers).toEqual([fresh.influencerRanking.entries[0]]);
  });

  test('the scheduler runs the refresh job in the background, and a write shows once it has run', async () => {
    const before = await conversion();
    await invite('r', 'e', 6);
    expect(await conversion()).toEqual(before);
    // The job as startJobs schedules it, on a short interval and kept to this test's questions (the defaults span the dev graph).
    const scheduler = new JobScheduler(api.store.redis, createLogger('silent'));
    const name = `snapshot-refresh-${p}`;
    scheduler.scheduleJob(snapshotRefreshJob(api.graph, snapshotStoreFor(api.store), 50, createLogger('silent'), { name, include: (request) => JSON.stringify(request.args).includes(p) }));
    const startedAt = Date.now();
    scheduler.start();
    try {
      while (((await scheduler.lastFinishedAt(name)) ?? 0) < startedAt) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await scheduler.stop();
    }
    const after = await conversion(secondInstance);
    expect(after.overall.invited.count).toBe(before.overall.invited.count + 1);
    expect(Date.parse(after.asOf)).toBeGreaterThanOrEqual(startedAt);
    await api.store.redis.del(`grapevine:job:${name}:lastFinishedAt`);
  });

  test('the questions asked are registered for the refresh job, and no email or name reaches Redis', async () => {
    const requested = await api.store.redis.zrange(SNAPSHOT_REQUESTS_KEY, 0, -1);
    expect(requested.filter((member) => member.includes(p))).toEqual(
      expect.arrayContaining([
        JSON.stringify({ name: 'referralConversion', args: { filter: { campaignId: campaign } } }),
        JSON.stringify({ name: 'topInfluencers', args: { by: 'REFERRAL_REACH', campaignId: campaign } }),
      ]),
    );
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await api.store.redis.scan(cursor, 'MATCH', 'grapevine:snapshot*', 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    expect(keys.filter((k) => k.startsWith('grapevine:snapshot:')).length).toBeGreaterThanOrEqual(2);
    const stored = [...requested];
    for (const k of keys.filter((k) => k !== SNAPSHOT_REQUESTS_KEY)) stored.push((await api.store.redis.get(k)) ?? '');
    const ours = stored.filter((value) => value.includes(p));
    expect(ours.length).toBeGreaterThanOrEqual(3); // the two registered questions and the ranking's customer ids
    for (const value of stored) {
      expect(value).not.toContain(email);
      expect(value).not.toContain('Secret Name');
    }
  });
});

describe('a whole-graph answer nobody asked for before', () => {
  test('is computed in the background: a request that waited SNAPSHOT_FIRST_WAIT_MS gets ANSWER_PENDING, a later one the answer', async () => {
    const impatient = await startTestApi({ SNAPSHOT_FIRST_WAIT_MS: '1' });
    try {
      const campaign = `${uniquePrefix('pending')}-camp`;
      await ok(impatient, CAMPAIGN, { input: { id: campaign, name: 'Pending', startsAt: iso(1, 0), endsAt: '2099-01-01T00:00:00Z' } });
      const first = await impatient.gql('marketer', CONVERSION, { filter: { campaignId: campaign } });
      expect(first.errors?.[0]?.extensions).toMatchObject({ code: 'ANSWER_PENDING', retryAfterSeconds: 1 });
      let later = first;
      for (let attempt = 0; attempt < 100 && later.errors; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        later = await impatient.gql('marketer', CONVERSION, { filter: { campaignId: campaign } });
      }
      expect(later.errors).toBeUndefined();
      expect(later.data!.referralConversion.overall.referrals).toBe(0);
    } finally {
      await impatient.close();
    }
  });
});
