import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expectText, launchBrowser, openPage, PRODUCTION_SETTINGS, SCREENSHOTS, signIn } from '../support/browser';
import { LiveApi, startLiveApi, untilSubscribed } from '../support/live';
import { KEYS, TestRole, uniquePrefix } from '../support/services';

// The Live page in a real Chromium against the whole service (server/runtime.ts: HTTP, graphql-ws subscriptions, the
// outbox relay and the stream reader) on the shared Neo4j and Redis, in production mode (under its CSP, which must
// allow the same-origin WebSocket). Every id is this run's own.

jest.setTimeout(120_000);

describe('the Live page', () => {
  let browser: Browser;
  let api: LiveApi;
  let base: string;
  let problems: string[] = [];

  async function must<T>(query: string, variables: Record<string, unknown>, role: TestRole = 'service'): Promise<T> {
    const body = await api.gql(role, query, variables);
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data as T;
  }

  async function newPage(key: string, hash: string): Promise<Page> {
    const opened = await openPage(browser);
    problems = opened.problems;
    await signIn(opened.page, base, key, hash);
    return opened.page;
  }

  beforeAll(async () => {
    browser = await launchBrowser();
    api = await startLiveApi(PRODUCTION_SETTINGS);
    base = api.url.replace(/\/graphql$/, '');
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    await browser?.close();
  });
  afterEach(() => expect(problems).toEqual([]));

  /** A campaign open from June 2026 and a root advocate with a code in it. */
  async function givenCampaignWithCode(p: string) {
    await must('mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }', {
      input: { id: `${p}-camp`, name: `Live ${p}`, startsAt: '2026-06-01T00:00:00.000Z', endsAt: '2099-01-01T00:00:00.000Z' },
    });
    await must('mutation($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { id } }', { input: { id: `${p}-root`, name: 'Rosa Root', identifiers: [{ kind: 'DEVICE', value: `${p}-device` }] } });
    const { issueReferralCode } = await must<{ issueReferralCode: { code: string } }>('mutation($input: IssueReferralCodeInput!) { issueReferralCode(input: $input) { code } }', {
      input: { customerId: `${p}-root`, campaignId: `${p}-camp`, idempotencyKey: `${p}-code` },
    });
    return { campaign: `${p}-camp`, root: `${p}-root`, code: issueReferralCode.code };
  }

  const signUp = (p: string, customerId: string, code: string, identifiers: Array<{ kind: string; value: string }> = []) =>
    must('mutation($input: RecordSignupInput!) { recordSignup(input: $input) { referral { status } } }', {
      input: { customerId, code, at: '2026-06-10T12:00:00.000Z', identifiers, idempotencyKey: `${p}-${customerId}` },
    });

  test('a sign-up made through the API appears in the campaign feed without a reload', async () => {
    const p = uniquePrefix('dash-live');
    const { campaign, code } = await givenCampaignWithCode(p);
    const subscribedBefore = api.running.liveSubscribers();
    const page = await newPage(KEYS.marketer, `#/live?campaign=${encodeURIComponent(campaign)}`);
    await page.locator('[data-testid="live-connection"][data-state="connected"]').waitFor();
    await untilSubscribed(api.running, subscribedBefore + 1);
    await page.evaluate('window.__sameDocument = true');

    await signUp(p, `${p}-friend`, code);
    const item = page.locator(`[data-testid="feed"] li[data-customer="${p}-friend"]`);
    await item.first().waitFor();
    await expectText(page.getByTestId('feed'), /signed up/);
    expect(await page.locator(`[data-testid="feed"] li[data-type="REFERRAL_CREDITED"][data-customer="${p}-friend"]`).count()).toBe(1);
    // The same document all along: nothing reloaded the page.
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'live.png'), fullPage: true });
  });

  test('a community manager also sees referrals held for review as they happen', async () => {
    const p = uniquePrefix('dash-held');
    const { code } = await givenCampaignWithCode(p);
    const subscribedBefore = api.running.liveSubscribers();
    const page = await newPage(KEYS.community, '#/live');
    await page.locator('[data-testid="live-connection"][data-state="connected"]').waitFor();
    await untilSubscribed(api.running, subscribedBefore + 1);

    await signUp(p, `${p}-twin`, code, [{ kind: 'DEVICE', value: `${p}-device` }]);
    await page.locator(`[data-testid="feed"] li[data-type="REFERRAL_HELD"][data-customer="${p}-twin"]`).waitFor();
  });
});
