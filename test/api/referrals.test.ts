import { cypher } from '../../graph/neo4j';
import { CAMPAIGN, CLICK, failure, givenCustomers, INVITE, ISSUE_CODE, iso, key, ok, SIGNUP } from '../support/builders';
import { startTestApi, TestApi, uniquePrefix } from '../support/services';

describe('campaigns, codes, invites, clicks and sign-ups', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const issue = async (customerId: string, campaignId: string) =>
    (await ok(api, ISSUE_CODE, { input: { customerId, campaignId, idempotencyKey: key('code') } })).issueReferralCode.code as string;

  test('createCampaign validates its window and dates', async () => {
    const id = uniquePrefix('camp');
    const bad = await api.gql('service', CAMPAIGN, { input: { id, name: 'x', startsAt: iso(10), endsAt: iso(9) } });
    expect(failure(bad)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.endsAt' });
    const window = await api.gql('service', CAMPAIGN, { input: { id, name: 'x', startsAt: iso(10), attributionWindowDays: 0 } });
    expect(failure(window)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.attributionWindowDays' });
    const badDate = await api.gql('service', CAMPAIGN, { input: { id, name: 'x', startsAt: 'yesterday' } });
    expect(failure(badDate).code).toBe('BAD_USER_INPUT');
    expect((await ok(api, CAMPAIGN, { input: { id, name: 'x', startsAt: iso(10) } })).createCampaign).toEqual({ id, attributionModel: 'LAST_TOUCH', attributionWindowDays: 30 });
  });

  test('a referral code is unguessable, one per customer and campaign, and can be looked up', async () => {
    const id = await givenCustomers(api, uniquePrefix('code'), ['a', 'b']);
    const code = await issue(id('a'), id('camp'));
    expect(code).toMatch(/^[2-9A-HJKMNP-Z]{10}$/);
    expect(await issue(id('a'), id('camp'))).toBe(code);
    expect(await issue(id('b'), id('camp'))).not.toBe(code);
    const found = await ok(api, `
      query($code: String!) {
        referralCode(code: $code) {
          owner { id }
          campaign { id }
        }
      }
    `, { code });
    expect(found.referralCode).toEqual({ owner: { id: id('a') }, campaign: { id: id('camp') } });
    const unknown = await api.gql('service', ISSUE_CODE, { input: { customerId: id('ghost'), campaignId: id('camp'), idempotencyKey: key('x') } });
    expect(failure(unknown)).toMatchObject({ code: 'NOT_FOUND', field: 'input.customerId' });
  });

  test('a code can be backfilled with the instant it was issued, checked against the campaign dates then', async () => {
    const id = await givenCustomers(api, uniquePrefix('backfill'), ['a', 'b']);
    const ended = uniquePrefix('ended');
    await ok(api, CAMPAIGN, { input: { id: ended, name: 'Last spring', startsAt: iso(1), endsAt: iso(5) } });
    const now = await api.gql('service', ISSUE_CODE, { input: { customerId: id('a'), campaignId: ended, idempotencyKey: key('late') } });
    expect(failure(now)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.campaignId' });
    const backfilled = await ok(api, ISSUE_CODE, { input: { customerId: id('a'), campaignId: ended, at: iso(3), idempotencyKey: key('back') } });
    expect(backfilled.issueReferralCode).toMatchObject({ owner: { id: id('a') }, campaign: { id: ended } });
    const afterEnd = await api.gql('service', ISSUE_CODE, { input: { customerId: id('b'), campaignId: ended, at: iso(6), idempotencyKey: key('after') } });
    expect(failure(afterEnd)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.campaignId' });
    const [stored] = await api.graph.read(
      cypher('test.codeIssuedAt', 'MATCH (:Customer {id: $id})-[:OWNS]->(c:ReferralCode) RETURN c.issuedAt AS issuedAt'),
      { id: id('a') },
    );
    expect(stored.issuedAt).toBe(Date.parse(iso(3)));
  });

  test('codes can be issued in a batch like any other event, named by index when they fail', async () => {
    const id = await givenCustomers(api, uniquePrefix('batchcode'), ['a']);
    const BATCH = `
      mutation($events: [EventInput!]!) {
        recordEvents(events: $events) { index kind replayed }
      }`;
    const events = [
      { upsertCustomer: { id: id('b') } },
      { issueReferralCode: { customerId: id('b'), campaignId: id('camp'), idempotencyKey: key('bc') } },
    ];
    expect((await ok(api, BATCH, { events })).recordEvents.map((r: { kind: string }) => r.kind)).toEqual(['UPSERT_CUSTOMER', 'ISSUE_REFERRAL_CODE']);
    const failing = await api.gql('service', BATCH, { events: [{ issueReferralCode: { customerId: id('ghost'), campaignId: id('camp'), idempotencyKey: key('bg') } }] });
    expect(failure(failing)).toMatchObject({ code: 'NOT_FOUND', field: 'events[0].issueReferralCode.customerId' });
  });

  test('an invite to someone new creates a STRANGER; a click makes them INTERESTED', async () => {
    const id = await givenCustomers(api, uniquePrefix('inv'), ['a']);
    const code = await issue(id('a'), id('camp'));
    const invite = await ok(api, INVITE, { input: { code, invitee: { id: id('new'), name: 'Newbie' }, channel: 'whatsapp', at: iso(2), idempotencyKey: key('i') } });
    expect(invite.recordInvite).toEqual({
      status: 'INVITED', channel: 'whatsapp', invitedAt: iso(2), referrer: { id: id('a') }, invitee: { id: id('new'), stage: 'STRANGER' }, campaign: { id: id('camp') },
    });
    const click = await ok(api, CLICK, { input: { code, inviteeId: id('new'), at: iso(3), idempotencyKey: key('c') } });
    expect(click.recordReferralClick).toEqual({ status: 'CLICKED', clickedAt: iso(3), invitee: { id: id('new'), stage: 'INTERESTED' } });
  });

  test('invites are refused for self-referral, unknown codes, missing sources and campaigns outside their dates', async () => {
    const id = await givenCustomers(api, uniquePrefix('rules'), ['a']);
    const code = await issue(id('a'), id('camp'));
    const invite = (input: Record<string, unknown>) => api.gql('service', INVITE, { input: { channel: 'email', at: iso(2), idempotencyKey: key('i'), ...input } });
    expect(failure(await invite({ code, invitee: { id: id('a') } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.invitee.id' });
    expect(failure(await invite({ code: 'NOSUCHCODE', invitee: { id: id('b') } }))).toMatchObject({ code: 'NOT_FOUND', field: 'input.code' });
    expect(failure(await invite({ invitee: { id: id('b') } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.code' });
    expect(failure(await invite({ referrerId: id('a'), campaignId: id('nope'), invitee: { id: id('b') } }))).toMatchObject({ code: 'NOT_FOUND', field: 'input.campaignId' });
    expect(failure(await invite({ code, invitee: { id: 'bad id' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.invitee.id' });
    expect(failure(await invite({ code, channel: 'Carrier Pigeon!', invitee: { id: id('b') } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.channel' });
    const expired = uniquePrefix('expired');
    await ok(api, CAMPAIGN, { input: { id: expired, name: 'Old', startsAt: iso(1), endsAt: iso(5) } });
    const late = await invite({ referrerId: id('a'), campaignId: expired, invitee: { id: id('b') }, at: iso(6) });
    expect(failure(late)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.campaignId' });
    expect(failure(late).message).toMatch(/ended at/);
    const [row] = await api.graph.read(cypher('test.none', 'OPTIONAL MATCH (c:Customer {id: $id}) RETURN c IS NULL AS absent'), { id: id('b') });
    expect(row.absent).toBe(true);
  });

  test('a referral that would close a cycle in the chain is refused', async () => {
    const id = await givenCustomers(api, uniquePrefix('cycle'), ['a']);
    await ok(api, SIGNUP, { input: { customerId: id('b'), code: await issue(id('a'), id('camp')), at: iso(2), idempotencyKey: key('s') } });
    await ok(api, SIGNUP, { input: { customerId: id('c'), code: await issue(id('b'), id('camp')), at: iso(3), idempotencyKey: key('s') } });
    const back = await api.gql('service', INVITE, { input: { code: await issue(id('c'), id('camp')), invitee: { id: id('a') }, channel: 'email', at: iso(4), idempotencyKey: key('i') } });
    expect(failure(back)).toMatchObject({ code: 'CONFLICT', field: 'input.invitee.id' });
    expect(failure(back).message).toMatch(/close a cycle/);
  });

  test('a customer signs up once; other open referrals into them are REJECTED', async () => {
    const id = await givenCustomers(api, uniquePrefix('once'), ['a', 'b']);
    await ok(api, INVITE, { input: { referrerId: id('a'), campaignId: id('camp'), invitee: { id: id('n') }, channel: 'email', at: iso(2), idempotencyKey: key('i') } });
    await ok(api, INVITE, { input: { referrerId: id('b'), campaignId: id('camp'), invitee: { id: id('n') }, channel: 'sms', at: iso(3), idempotencyKey: key('i') } });
    const signup = await ok(api, SIGNUP, { input: { customerId: id('n'), at: iso(4), idempotencyKey: key('s') } });
    expect(signup.recordSignup.customer.stage).toBe('FAN');
    expect(signup.recordSignup.referral).toMatchObject({ status: 'SIGNED_UP', referrer: { id: id('b') } });
    const again = await api.gql('service', SIGNUP, { input: { customerId: id('n'), at: iso(5), idempotencyKey: key('s') } });
    expect(failure(again)).toMatchObject({ code: 'CONFLICT', field: 'input.customerId' });
    const a = await ok(api, `
      query($id: ID!) {
        customer(id: $id) {
          referrals {
            edges {
              node { status }
            }
          }
        }
      }
    `, { id: id('a') });
    expect(a.customer.referrals.edges[0].node.status).toBe('REJECTED');
  });

  test.each([
    ['LAST_TOUCH', 'b'],
    ['FIRST_TOUCH', 'a'],
  ])('sign-up attribution with %s credits referrer %s among touches in the window', async (model, winner) => {
    const id = await givenCustomers(api, uniquePrefix('attr'), ['a', 'b', 'old'], { model, windowDays: 7 });
    const invite = (referrer: string, day: number) =>
      ok(api, INVITE, { input: { referrerId: id(referrer), campaignId: id('camp'), invitee: { id: id('n') }, channel: 'email', at: iso(day), idempotencyKey: key('i') } });
    await invite('old', 1); // outside the 7-day window at sign-up on day 12
    await invite('a', 6);
    await invite('b', 8);
    await ok(api, CLICK, { input: { referrerId: id('a'), campaignId: id('camp'), inviteeId: id('n'), at: iso(7), idempotencyKey: key('c') } });
    const signup = await ok(api, SIGNUP, { input: { customerId: id('n'), at: iso(12), idempotencyKey: key('s') } });
    expect(signup.recordSignup.referral.referrer.id).toBe(id(winner));
  });

  test('a sign-up with no touch inside any window is organic; a code credits its owner directly', async () => {
    const id = await givenCustomers(api, uniquePrefix('organic'), ['a', 'b'], { windowDays: 2 });
    await ok(api, INVITE, { input: { referrerId: id('a'), campaignId: id('camp'), invitee: { id: id('n') }, channel: 'email', at: iso(2), idempotencyKey: key('i') } });
    const organic = await ok(api, SIGNUP, { input: { customerId: id('n'), at: iso(10), idempotencyKey: key('s') } });
    expect(organic.recordSignup.referral).toBeNull();
    const code = await issue(id('b'), id('camp'));
    const coded = await ok(api, SIGNUP, { input: { customerId: id('m'), email: `${id('m')}@example.com`, code, at: iso(10), idempotencyKey: key('s') } });
    expect(coded.recordSignup.referral).toMatchObject({ status: 'SIGNED_UP', referrer: { id: id('b') }, campaign: { id: id('camp') } });
    expect(coded.recordSignup.customer.signedUpAt).toBe(iso(10));
  });

  test('replaying a sign-up returns the first result instead of a conflict, and writes nothing', async () => {
    const id = await givenCustomers(api, uniquePrefix('replay'), ['a']);
    const input = { customerId: id('n'), code: await issue(id('a'), id('camp')), at: iso(4), idempotencyKey: key('s') };
    const first = await ok(api, SIGNUP, { input });
    const replay = await ok(api, SIGNUP, { input });
    expect(replay).toEqual(first);
    const [row] = await api.graph.read(cypher('test.refs', 'MATCH (:Customer)-[r:REFERRED]->(:Customer {id: $id}) RETURN count(r) AS n'), { id: id('n') });
    expect(row.n).toBe(1);
  });
});
