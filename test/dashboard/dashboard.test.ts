import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadSyntheticGraph } from '../../graph/bulkLoad';
import { demoGraph } from '../../graph/demo';
import { expectText, launchBrowser, openPage, PRODUCTION_SETTINGS, SCREENSHOTS, serve, ServedApp, signIn, textOf } from '../support/browser';
import { startExclusiveTestApi } from '../support/exclusive';
import { KEYS, startTestApi, TestApi, TestServiceUris } from '../support/services';

// The dashboard in a real Chromium against the real service holding the demo network that `npm start` loads
// (2,000 customers, seed 42, with purchase histories, three planted fraud rings and the launch campaign), on an exclusive Neo4j and Redis so that whole-graph numbers are exactly the demo's.
// The API runs in production mode, so every page is loaded under the production Content-Security-Policy, and
// any script error or CSP violation fails the test. The screenshots in docs/screenshots are taken here.

const INTEGER = new Intl.NumberFormat('en');
const DECIMAL = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
const PERCENT = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 });
const STEPS = ['invited', 'clicked', 'signedUp', 'converted', 'repeatBuyers'] as const;
const FUNNEL = `referrals referrers kFactor ${STEPS.map((step) => `${step} { count rate }`).join(' ')}`;

interface Funnel {
  kFactor: number;
  invited: { count: number };
  clicked: { count: number };
  signedUp: { count: number };
  converted: { count: number };
  repeatBuyers: { count: number };
}

describe('the dashboard on the demo network', () => {
  let browser: Browser;
  let api: TestApi & { uris: TestServiceUris };
  let served: ServedApp;
  let problems: string[] = [];

  async function gql<T>(query: string, variables?: Record<string, unknown>, role: 'marketer' | 'admin' | 'community' | 'service' = 'marketer'): Promise<T> {
    const body = await api.gql(role, query, variables);
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data as T;
  }

  async function newPage(key: string, viewport?: { width: number; height: number }): Promise<Page> {
    const opened = await openPage(browser, viewport);
    problems = opened.problems;
    await signIn(opened.page, served.url, key);
    return opened.page;
  }

  const shoot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    browser = await launchBrowser();
    api = await startExclusiveTestApi(PRODUCTION_SETTINGS);
    await loadSyntheticGraph(api.graph, demoGraph());
    served = await serve(api.app);
    // Outside `npm test` the exclusive pair is a scratch Neo4j started for this file: slow on a busy machine.
  }, 600_000);
  afterAll(async () => {
    await served?.close();
    await api?.close();
    await browser?.close();
  });
  afterEach(() => {
    // No script error and no Content-Security-Policy violation on any page.
    expect(problems).toEqual([]);
  });

  test('the programme overview shows the funnel, K-factor per generation and each campaign as the API returns them', async () => {
    const page = await newPage(KEYS.marketer);
    await page.getByTestId('funnel-table').waitFor();
    const { referralConversion } = await gql<{ referralConversion: { overall: Funnel; byGeneration: Array<{ generation: number; funnel: Funnel }> } }>(
      `{ referralConversion { overall { ${FUNNEL} } byGeneration { generation funnel { ${FUNNEL} } } } }`,
    );
    for (const step of STEPS) {
      expect(await textOf(page.locator(`[data-testid="funnel-table"] tr[data-step="${step}"] td.count`))).toBe(INTEGER.format(referralConversion.overall[step].count));
    }
    expect(await textOf(page.getByTestId('headline').locator('[data-metric="kFactor"]'))).toBe(DECIMAL.format(referralConversion.overall.kFactor));
    expect(referralConversion.byGeneration.length).toBeGreaterThan(1);
    for (const { generation, funnel } of referralConversion.byGeneration) {
      expect(await textOf(page.locator(`[data-testid="generation-table"] tr[data-generation="${generation}"] [data-metric="kFactor"]`))).toBe(DECIMAL.format(funnel.kFactor));
    }

    const { campaigns } = await gql<{ campaigns: Array<{ id: string; name: string }> }>('{ campaigns { id name } }');
    expect(campaigns.map((campaign) => campaign.id).sort()).toEqual(['beta-launch', 'spring-friends', 'vip-advocates']);
    for (const campaign of campaigns) {
      const row = page.locator(`[data-testid="campaign-table"] tr[data-campaign="${campaign.id}"]`);
      await row.locator('[data-metric="kFactor"]').waitFor();
      const { referralConversion: own } = await gql<{ referralConversion: { overall: Funnel } }>(
        `query($id: ID!) { referralConversion(filter: { campaignId: $id }) { overall { ${FUNNEL} } } }`,
        { id: campaign.id },
      );
      for (const step of STEPS) expect(await textOf(row.locator(`td[data-step="${step}"]`))).toBe(INTEGER.format(own.overall[step].count));
    }
    // The charts are drawn (ECharts renders into a canvas).
    expect(await page.locator('.chart canvas').count()).toBeGreaterThanOrEqual(2);

    // A weekly trend over the busiest stretch of the demo's invites.
    await page.getByLabel('8 weeks up to').fill('2026-06-30');
    await page.getByRole('button', { name: 'Show trend' }).click();
    await page.getByTestId('trend-table').waitFor();
    const lastWeek = await gql<{ referralConversion: { overall: Funnel } }>(
      `query($filter: ConversionFilter) { referralConversion(filter: $filter) { overall { ${FUNNEL} } } }`,
      { filter: { from: '2026-06-24T00:00:00.000Z', to: '2026-07-01T00:00:00.000Z' } },
    );
    const lastRow = page.locator('[data-testid="trend-table"] tbody tr').last();
    expect(await textOf(lastRow.locator('th'))).toBe('2026-06-24');
    expect(await textOf(lastRow.locator('td').first())).toBe(INTEGER.format(lastWeek.referralConversion.overall.invited.count));
    await shoot(page, 'overview');

    // One campaign on its own: the funnel of that campaign.
    await page.getByLabel('Campaign', { exact: true }).selectOption('vip-advocates');
    await expectText(page.locator('#funnel-heading'), /VIP advocates/);
  });

  test('a customer page shows the profile, reach per generation and the tree below, which expands level by level from the keyboard', async () => {
    const { topInfluencers } = await gql<{ topInfluencers: Array<{ customer: { id: string; name: string } }> }>('{ topInfluencers(by: REFERRAL_REACH, limit: 1) { customer { id name } } }');
    const advocate = topInfluencers[0].customer;
    const page = await newPage(KEYS.marketer);
    await page.getByRole('link', { name: 'Customer', exact: true }).click();
    await page.getByRole('link', { name: new RegExp(advocate.name) }).first().click();
    await expectText(page.getByTestId('customer-name'), new RegExp(advocate.name));

    const { customer, influencerReach, referralChain } = await gql<{
      customer: { stage: string; referrals: { totalCount: number } };
      influencerReach: { generations: Array<{ generation: number; customers: number; converted: number }> };
      referralChain: { downward: Array<{ depth: number; referrerId: string; customer: { id: string; name: string } }> };
    }>(
      `query($id: ID!) {
        customer(id: $id) { stage referrals { totalCount } }
        influencerReach(customerId: $id, maxDepth: 5) { generations { generation customers converted } }
        referralChain(customerId: $id, maxDepth: 2) { downward { depth referrerId customer { id name } } }
      }`,
      { id: advocate.id },
    );
    expect(await textOf(page.locator('[data-field="stage"]'))).toBe(customer.stage.replace('_', ' ').toLowerCase());
    expect(await textOf(page.locator('[data-field="referrals"]'))).toBe(INTEGER.format(customer.referrals.totalCount));
    // A marketer's page has no email row: the dashboard never asks for it.
    expect(await page.locator('[data-field="email"]').count()).toBe(0);

    await page.getByTestId('reach-table').waitFor();
    for (const generation of influencerReach.generations) {
      const row = page.locator(`[data-testid="reach-table"] tr[data-generation="${generation.generation}"]`);
      expect(await textOf(row.locator('[data-metric="customers"]'))).toBe(INTEGER.format(generation.customers));
      expect(await textOf(row.locator('[data-metric="converted"]'))).toBe(INTEGER.format(generation.converted));
    }

    // Collapsed at first: the customer and their direct referees only.
    const children = referralChain.downward.filter((node) => node.depth === 1);
    await expectText(page.getByTestId('tree-count'), new RegExp(`^${children.length + 1}$`));
    expect(await page.locator('.tree-canvas canvas').count()).toBeGreaterThan(0);
    // Expand, from the keyboard, the referee who referred the most.
    const counts = new Map<string, number>();
    for (const node of referralChain.downward) if (node.depth === 2) counts.set(node.referrerId, (counts.get(node.referrerId) ?? 0) + 1);
    const [busiest, grandchildren] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
    const busiestName = children.find((node) => node.customer.id === busiest)!.customer.name;
    const toggle = page.locator(`li[data-node="${busiest}"] > button.toggle`);
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expectText(page.getByTestId('tree-count'), new RegExp(`^${children.length + 1 + grandchildren}$`));
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await page.locator(`li[data-node="${busiest}"] > ul > li[data-node]`).count()).toBe(grandchildren);
    expect(await toggle.getAttribute('aria-label')).toBe(`Collapse ${busiestName}`);
    await shoot(page, 'customer');

    // Collapsing hides them again without asking the API.
    await page.keyboard.press('Enter');
    await expectText(page.getByTestId('tree-count'), new RegExp(`^${children.length + 1}$`));
  });

  test('an admin sees the email row on a customer page; the marketer did not', async () => {
    const page = await newPage(KEYS.admin);
    await page.goto(`${served.url}/#/customer/c5`);
    await page.locator('[data-field="email"]').waitFor();
  });

  test('how you are connected shows the shortest path the API finds, with the kinds of tie on each step', async () => {
    const { degreesOfSeparation } = await gql<{ degreesOfSeparation: { degrees: number; path: Array<{ id: string; name: string }> } }>(
      '{ degreesOfSeparation(from: "c5", to: "c1234") { degrees path { id name } } }',
    );
    expect(degreesOfSeparation.degrees).toBeGreaterThan(1);
    const page = await newPage(KEYS.marketer);
    await page.getByRole('link', { name: 'How you’re connected' }).click();
    await page.getByLabel('From customer').fill('c5');
    await page.getByLabel('To customer').fill('c1234');
    await page.getByRole('button', { name: 'Find the path' }).click();
    await expectText(page.getByTestId('degrees'), new RegExp(`^${degreesOfSeparation.degrees} degrees of separation$`));
    const steps = page.locator('[data-testid="path-steps"] > li');
    expect(await steps.count()).toBe(degreesOfSeparation.degrees);
    for (let i = 0; i < degreesOfSeparation.degrees; i++) {
      const [a, b] = [degreesOfSeparation.path[i], degreesOfSeparation.path[i + 1]];
      const text = await textOf(steps.nth(i));
      expect(text.startsWith(a.name)).toBe(true);
      expect(text).toContain(b.name);
      // Each step names at least one kind of tie, and only the kinds that hold for that pair.
      const kinds = await gql<Record<string, { degrees: number | null }>>(
        `query($a: ID!, $b: ID!) {
          KNOWS: degreesOfSeparation(from: $a, to: $b, via: [KNOWS], maxHops: 1) { degrees }
          REFERRED: degreesOfSeparation(from: $a, to: $b, via: [REFERRED], maxHops: 1) { degrees }
        }`,
        { a: a.id, b: b.id },
      );
      expect(text.includes('knows')).toBe(kinds.KNOWS.degrees === 1);
      expect(text.includes('referred')).toBe(kinds.REFERRED.degrees === 1);
    }
    expect(page.url()).toContain('from=c5');
    await shoot(page, 'connection');
  });

  test('GET /graphql in the browser opens the bundled GraphiQL, which sends queries with the signed-in key', async () => {
    const page = await newPage(KEYS.admin);
    await page.getByRole('link', { name: 'GraphQL explorer' }).click();
    await page.locator('.graphiql-container').waitFor();
    // The editor fills in the default query a moment after the container shows; a click before runs nothing.
    await expectText(page.locator('.graphiql-query-editor'), /serviceInfo/);
    await page.locator('.graphiql-execute-button').click();
    await expectText(page.locator('.result-window'), /"role": "ADMIN"/);
    await shoot(page, 'explorer');
  });

  test('the advocates page shows the ranking with its reasons, the untapped promoters and the seeding plan as the API returns them', async () => {
    const page = await newPage(KEYS.marketer);
    await page.getByRole('link', { name: 'Advocates', exact: true }).click();
    const rows = page.locator('[data-testid="advocates-table"] tbody tr[data-customer]');
    await rows.first().waitFor();
    const { advocates, untappedAdvocates, seedAdvocates } = await gql<{
      advocates: Array<{ customer: { id: string }; score: number; reachWithin2Hops: number; invitesSent: number; conversions: number; asOf: string }>;
      untappedAdvocates: Array<{ customer: { id: string } }>;
      seedAdvocates: { totalReach: number; naiveTotalReach: number; picks: Array<{ customer: { id: string }; marginalReach: number }> };
    }>(`{
      advocates(filter: { limit: 20 }) { customer { id } score reachWithin2Hops invitesSent conversions asOf }
      untappedAdvocates(limit: 10) { customer { id } }
      seedAdvocates(k: 5) { totalReach naiveTotalReach picks { customer { id } marginalReach } }
    }`);
    expect(advocates.length).toBe(20);
    expect(await rows.count()).toBe(advocates.length);
    for (const [i, advocate] of advocates.entries()) {
      const row = rows.nth(i);
      expect(await row.getAttribute('data-customer')).toBe(advocate.customer.id);
      expect(await textOf(row.locator('[data-metric="score"]'))).toBe(DECIMAL.format(advocate.score));
      expect(await textOf(row.locator('[data-metric="reachWithin2Hops"]'))).toBe(INTEGER.format(advocate.reachWithin2Hops));
      expect(await textOf(row.locator('[data-metric="invitesSent"]'))).toBe(INTEGER.format(advocate.invitesSent));
      expect(await textOf(row.locator('[data-metric="conversions"]'))).toBe(INTEGER.format(advocate.conversions));
    }
    await expectText(page.getByTestId('advocates-as-of'), /Ranking as of/);

    const untapped = page.locator('[data-testid="untapped-table"] tbody tr[data-customer]');
    await page.getByTestId('untapped-table').waitFor();
    expect(await untapped.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-customer')))).toEqual(untappedAdvocates.map((a) => a.customer.id));

    await page.getByTestId('seed-headline').waitFor();
    expect(await textOf(page.getByTestId('seed-headline').locator('[data-metric="totalReach"]'))).toBe(INTEGER.format(seedAdvocates.totalReach));
    expect(await textOf(page.getByTestId('seed-headline').locator('[data-metric="naiveTotalReach"]'))).toBe(INTEGER.format(seedAdvocates.naiveTotalReach));
    const picks = page.locator('[data-testid="seed-table"] tbody tr');
    expect(await picks.count()).toBe(seedAdvocates.picks.length);
    for (const [i, pick] of seedAdvocates.picks.entries()) {
      expect(await picks.nth(i).getAttribute('data-customer')).toBe(pick.customer.id);
      expect(await textOf(picks.nth(i).locator('[data-metric="marginalReach"]'))).toBe(INTEGER.format(pick.marginalReach));
    }
    await shoot(page, 'advocates');

    // The CSV button downloads the same ranking through POST /export.csv; the key never appears in a URL.
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('advocates.csv');
    const lines = fs.readFileSync((await download.path())!, 'utf8').trim().split(/\r?\n/);
    const header = lines[0].split(',');
    const idColumn = header.indexOf('customer.id');
    const scoreColumn = header.indexOf('score');
    expect(idColumn).toBeGreaterThanOrEqual(0);
    const records = lines.slice(1).map((line) => line.split(','));
    expect(records.map((record) => record[idColumn])).toEqual(advocates.map((a) => a.customer.id));
    expect(records.map((record) => Number(record[scoreColumn]))).toEqual(advocates.map((a) => a.score));
    await expectText(page.getByRole('status').filter({ hasText: 'Downloaded' }), new RegExp(`Downloaded ${advocates.length} rows`));
    expect(requested.some((url) => url.includes(KEYS.marketer))).toBe(false);
    expect(requested.some((url) => url.endsWith('/export.csv'))).toBe(true);
  });

  test('a customer page shows value tier, RFM, lifecycle, engagement level and community as the API returns them', async () => {
    const { advocates } = await gql<{ advocates: Array<{ customer: { id: string } }> }>('{ advocates(filter: { limit: 1 }) { customer { id } } }');
    const id = advocates[0].customer.id;
    const page = await newPage(KEYS.marketer);
    await page.goto(`${served.url}/#/customer/${id}`);
    await page.getByTestId('value').waitFor();
    const { customerValue, customer } = await gql<{
      customerValue: { tier: string | null; lifecycle: string | null; rfm: { recency: number; frequency: number; monetary: number } | null };
      customer: { engagementLevel: string; community: { id: string } | null };
    }>(`query($id: ID!) { customerValue(customerId: $id) { tier lifecycle rfm { recency frequency monetary } } customer(id: $id) { engagementLevel community { id } } }`, { id });
    expect(customerValue.tier).not.toBeNull();
    expect(await textOf(page.locator('[data-field="tier"]'))).toBe(customerValue.tier);
    expect(await textOf(page.locator('[data-field="lifecycle"]'))).toBe(customerValue.lifecycle!.toLowerCase());
    expect(await textOf(page.locator('[data-field="rfm"]'))).toBe(`${customerValue.rfm!.recency}${customerValue.rfm!.frequency}${customerValue.rfm!.monetary}`);
    expect(await textOf(page.locator('[data-field="engagementLevel"]'))).toBe(customer.engagementLevel.toLowerCase());
    expect(customer.community).not.toBeNull();
    expect(await textOf(page.locator('[data-field="community"] a'))).toBe(customer.community!.id);
  });

  test('the communities page draws the community map and lists each community and bridge as the API returns them', async () => {
    const page = await newPage(KEYS.community);
    await page.getByRole('link', { name: 'Communities', exact: true }).click();
    await page.getByTestId('communities-table').waitFor();
    await page.getByTestId('bridges-table').waitFor();
    const { communities } = await gql<{
      communities: { communityCount: number; communities: Array<{ id: string; size: number; internalConnections: number; conversion: { kFactor: number } }> };
    }>('{ communities(algorithm: LEIDEN, minSize: 2, limit: 40) { communityCount communities { id size internalConnections conversion { kFactor } } } }', {}, 'community');
    const { bridges } = await gql<{ bridges: { entries: Array<{ customer: { id: string }; betweenness: number }> } }>('{ bridges(limit: 10) { entries { customer { id } betweenness } } }', {}, 'community');
    expect(await textOf(page.getByTestId('communities-headline').locator('[data-metric="communityCount"]'))).toBe(INTEGER.format(communities.communityCount));
    const rows = page.locator('[data-testid="communities-table"] tbody tr');
    expect(await rows.count()).toBe(communities.communities.length);
    for (const community of communities.communities) {
      const row = page.locator(`[data-testid="communities-table"] tr[data-community="${community.id}"]`);
      expect(await textOf(row.locator('[data-metric="size"]'))).toBe(INTEGER.format(community.size));
      expect(await textOf(row.locator('[data-metric="internalConnections"]'))).toBe(INTEGER.format(community.internalConnections));
      expect(await textOf(row.locator('[data-metric="kFactor"]'))).toBe(DECIMAL.format(community.conversion.kFactor));
    }
    const bridgeRows = page.locator('[data-testid="bridges-table"] tbody tr');
    expect(await bridgeRows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-customer')))).toEqual(bridges.entries.map((b) => b.customer.id));
    expect(await page.locator('[data-testid="community-map"] canvas').count()).toBeGreaterThan(0);
    await shoot(page, 'communities');
  });

  test('the review queue shows held referrals and pending rewards with their evidence and the planted rings; approving a referral and revoking a reward take them off the queue', async () => {
    // A held referral of our own: the invitee signs up with the referrer's code from the referrer's device.
    const campaign = 'dash-review';
    await gql('mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }', { input: { id: campaign, name: 'Review test', startsAt: '2026-06-01T00:00:00.000Z', endsAt: '2099-01-01T00:00:00.000Z' } }, 'service');
    await gql('mutation($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { id } }', { input: { id: 'dash-ref', name: 'Rita Referrer', identifiers: [{ kind: 'DEVICE', value: 'dash-device-1' }] } }, 'service');
    const { issueReferralCode } = await gql<{ issueReferralCode: { code: string } }>('mutation($input: IssueReferralCodeInput!) { issueReferralCode(input: $input) { code } }', {
      input: { customerId: 'dash-ref', campaignId: campaign, idempotencyKey: 'dash-code' },
    }, 'service');
    const { recordSignup } = await gql<{ recordSignup: { referral: { status: string } } }>('mutation($input: RecordSignupInput!) { recordSignup(input: $input) { referral { status } } }', {
      input: { customerId: 'dash-new', code: issueReferralCode.code, at: '2026-06-10T12:00:00.000Z', identifiers: [{ kind: 'DEVICE', value: 'dash-device-1' }], idempotencyKey: 'dash-signup' },
    }, 'service');
    expect(recordSignup.referral.status).toBe('HELD');
    // And a pending reward: a campaign whose rewards wait for a manager, a referral that converts.
    await gql('mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }', {
      input: { id: 'dash-rewards', name: 'Rewards test', startsAt: '2026-06-01T00:00:00.000Z', endsAt: '2099-01-01T00:00:00.000Z', rewards: { referrer: { amount: 10, currency: 'EUR' }, holdDays: 14, manualApproval: true } },
    }, 'service');
    await gql('mutation($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { id } }', { input: { id: 'dash-rref', name: 'Raul Rewarded' } }, 'service');
    const rewardCode = await gql<{ issueReferralCode: { code: string } }>('mutation($input: IssueReferralCodeInput!) { issueReferralCode(input: $input) { code } }', {
      input: { customerId: 'dash-rref', campaignId: 'dash-rewards', idempotencyKey: 'dash-rcode' },
    }, 'service');
    await gql('mutation($input: RecordSignupInput!) { recordSignup(input: $input) { referral { status } } }', {
      input: { customerId: 'dash-buyer', code: rewardCode.issueReferralCode.code, at: '2026-06-10T12:00:00.000Z', idempotencyKey: 'dash-rsignup' },
    }, 'service');
    await gql('mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) { orderId } }', {
      input: { customerId: 'dash-buyer', productId: 'p1', orderId: 'dash-order-1', amount: 40, currency: 'EUR', at: '2026-06-11T12:00:00.000Z', idempotencyKey: 'dash-rpurchase' },
    }, 'service');

    const page = await newPage(KEYS.community);
    await page.getByRole('link', { name: 'Review queue', exact: true }).click();
    const ours = page.locator('[data-testid="held-table"] tr[data-invitee="dash-new"]');
    await ours.waitFor();
    const { reviewQueue, fraudRings } = await gql<{
      reviewQueue: { heldReferrals: Array<{ referral: { invitee: { id: string } }; evidence: { sharedIdentifiers: Array<{ kind: string; hashPrefix: string }> } }>; pendingRewards: unknown[] };
      fraudRings: { rings: Array<{ id: string; size: number }> };
    }>('{ reviewQueue { heldReferrals { referral { invitee { id } } evidence { sharedIdentifiers { kind hashPrefix } } } pendingRewards { reward { id } } } fraudRings(minSize: 3, limit: 10) { rings { id size } } }', {}, 'community');
    expect(await page.locator('[data-testid="held-table"] tbody tr[data-invitee]').count()).toBe(reviewQueue.heldReferrals.length);
    expect(await page.locator('[data-testid="rewards-table"] tbody tr[data-reward]').count()).toBe(reviewQueue.pendingRewards.length);
    const evidence = reviewQueue.heldReferrals.find((item) => item.referral.invitee.id === 'dash-new')!.evidence.sharedIdentifiers;
    expect(evidence).toEqual([{ kind: 'DEVICE', hashPrefix: expect.stringMatching(/^[0-9a-f]{8}$/) }]);
    expect(await textOf(ours.getByTestId('evidence'))).toContain(`shares device ${evidence[0].hashPrefix}…`);
    // The demo's three planted rings (and any other group the snapshot finds), each drawn.
    await page.getByTestId('rings-summary').waitFor();
    expect(fraudRings.rings.length).toBeGreaterThanOrEqual(3);
    expect(await page.locator('[data-ring]').count()).toBe(fraudRings.rings.length);
    expect(await page.locator('[data-ring] .network-canvas canvas').count()).toBeGreaterThanOrEqual(fraudRings.rings.length);
    await shoot(page, 'review-queue');

    await ours.getByRole('button', { name: 'Approve the referral of dash-new by Rita Referrer' }).click();
    await ours.waitFor({ state: 'detached' });
    const { customer } = await gql<{ customer: { referredBy: { status: string } } }>('{ customer(id: "dash-new") { referredBy { status } } }');
    expect(customer.referredBy.status).toBe('SIGNED_UP');

    // Revoking the pending reward takes it off the queue too.
    const { customer: referrer } = await gql<{ customer: { id: string } }>('{ customer(id: "dash-rref") { id } }');
    expect(referrer.id).toBe('dash-rref');
    const rewardRow = page.locator('[data-testid="rewards-table"] tr[data-reward]').filter({ hasText: 'Raul Rewarded' });
    expect(await rewardRow.count()).toBe(1);
    const rewardId = (await rewardRow.getAttribute('data-reward'))!;
    await rewardRow.getByRole('button', { name: 'Revoke the referrer reward of Raul Rewarded' }).click();
    await rewardRow.waitFor({ state: 'detached' });
    const { reward } = await gql<{ reward: { status: string } }>('query($id: ID!) { reward(id: $id) { status } }', { id: rewardId }, 'community');
    expect(reward.status).toBe('REVOKED');
  });

  test('the overview compares referred and organic buyers, and the launch page shows the waves and a waitlist place as the API returns them', async () => {
    const page = await newPage(KEYS.marketer);
    await page.getByTestId('behaviour-table').waitFor();
    const { purchaseBehaviour } = await gql<{ purchaseBehaviour: Record<'referred' | 'organic', { buyers: number; repeatPurchaseRate: number }> }>(
      '{ purchaseBehaviour { referred { buyers repeatPurchaseRate } organic { buyers repeatPurchaseRate } } }',
    );
    for (const group of ['referred', 'organic'] as const) {
      const row = page.locator(`[data-testid="behaviour-table"] tr[data-group="${group}"]`);
      expect(await textOf(row.locator('[data-metric="buyers"]'))).toBe(INTEGER.format(purchaseBehaviour[group].buyers));
      expect(await textOf(row.locator('[data-metric="repeatPurchaseRate"]'))).toBe(PERCENT.format(purchaseBehaviour[group].repeatPurchaseRate));
    }
    expect(purchaseBehaviour.referred.buyers).toBeGreaterThan(0);

    // A first wave after the founders, admitted through the API as a community manager would.
    await gql('mutation($input: AdmitWaveInput!) { admitWave(input: $input) { wave { number } } }', { input: { campaignId: 'beta-launch', size: 25, idempotencyKey: 'dash-wave-1' } }, 'community');
    await page.getByRole('link', { name: 'Launch', exact: true }).click();
    await page.getByTestId('waves-table').waitFor();
    const { launchReport } = await gql<{ launchReport: { waiting: number; overall: { members: number }; waves: Array<{ wave: number; admitted: number; invitesSpent: number }> } }>(
      '{ launchReport(campaignId: "beta-launch") { waiting overall { members } waves { wave admitted invitesSpent } } }',
    );
    expect(await textOf(page.getByTestId('launch-headline').locator('[data-metric="waiting"]'))).toBe(INTEGER.format(launchReport.waiting));
    expect(await textOf(page.getByTestId('launch-headline').locator('[data-metric="members"]'))).toBe(INTEGER.format(launchReport.overall.members));
    expect(launchReport.waves.map((wave) => wave.wave)).toEqual([0, 1]);
    for (const wave of launchReport.waves) {
      const row = page.locator(`[data-testid="waves-table"] tr[data-wave="${wave.wave}"]`);
      expect(await textOf(row.locator('[data-metric="admitted"]'))).toBe(INTEGER.format(wave.admitted));
      expect(await textOf(row.locator('[data-metric="invitesSpent"]'))).toBe(INTEGER.format(wave.invitesSpent));
    }
    // Where a customer still waiting after the wave stands.
    let waitlistPosition: { status: string; position: number; waiting: number } | undefined;
    let waiting = '';
    for (const membership of demoGraph().memberships!.filter((m) => m.status === 'WAITING')) {
      waiting = membership.customerId;
      ({ waitlistPosition } = await gql<{ waitlistPosition: { status: string; position: number; waiting: number } }>(
        'query($id: ID!) { waitlistPosition(customerId: $id, campaignId: "beta-launch") { status position waiting } }',
        { id: waiting },
      ));
      if (waitlistPosition.status === 'WAITING') break;
    }
    expect(waitlistPosition?.status).toBe('WAITING');
    await page.getByLabel('Customer id').fill(waiting);
    await page.getByRole('button', { name: 'Look up' }).click();
    await expectText(page.locator('[data-field="position"]'), new RegExp(`^${INTEGER.format(waitlistPosition!.position)} of ${INTEGER.format(waitlistPosition!.waiting)}$`));
    expect(await textOf(page.locator('[data-field="status"]'))).toBe('waiting');
    await shoot(page, 'launch');
  });

  test('a whole-graph answer asked for the first time shows "computing…", and the page asks again after retryAfterSeconds until it comes', async () => {
    // A second API on the same exclusive graph that waits only 1 ms for a first computation, so one campaign's
    // ranking, which nobody asked for yet, answers ANSWER_PENDING at first.
    const impatient = await startTestApi({ ...PRODUCTION_SETTINGS, SNAPSHOT_FIRST_WAIT_MS: '1' }, api.uris);
    const impatientServed = await serve(impatient.app);
    try {
      const opened = await openPage(browser);
      problems = opened.problems;
      const page = opened.page;
      await signIn(page, impatientServed.url, KEYS.marketer, '#/advocates');
      await page.locator('[data-testid="advocates-table"] tbody tr[data-customer]').first().waitFor();
      await page.getByLabel('Campaign', { exact: true }).selectOption('vip-advocates');
      await expectText(page.locator('[data-pending="true"]'), /Computing the ranking for the first time/);
      const rows = page.locator('[data-testid="advocates-table"] tbody tr[data-customer]');
      await page.locator('[data-pending="true"]').first().waitFor({ state: 'detached', timeout: 60_000 });
      const { advocates } = await gql<{ advocates: Array<{ customer: { id: string }; invitesSent: number }> }>(
        '{ advocates(filter: { limit: 20, campaignId: "vip-advocates" }) { customer { id } invitesSent } }',
      );
      expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-customer')))).toEqual(advocates.map((a) => a.customer.id));
      // The browser logs nothing for an ANSWER_PENDING answer (HTTP 200 with errors): no problem recorded.
    } finally {
      await impatientServed.close();
      await impatient.close();
    }
  });

  test('on a phone-sized screen the pages fit the width, and the navigation still leads everywhere', async () => {
    const page = await newPage(KEYS.marketer, { width: 390, height: 844 });
    await page.goto(`${served.url}/#/customer/c5`);
    await page.getByTestId('reach-table').waitFor();
    await page.getByTestId('tree-count').waitFor();
    const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await shoot(page, 'customer-phone');
    // The new pages fit too (wide tables scroll inside their card).
    const loaded = { '#/advocates': 'advocates-table', '#/communities': 'communities-table', '#/launch': 'waves-table', '#/live': 'live-campaign' };
    for (const [hash, testId] of Object.entries(loaded)) {
      await page.goto(`${served.url}/${hash}`);
      await page.locator(`[data-testid="${testId}"]`).waitFor();
      expect(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    }
    for (const name of ['Programme overview', 'Advocates', 'Customer', 'How you’re connected', 'Communities', 'Launch', 'Live']) expect(await page.getByRole('link', { name, exact: true }).isVisible()).toBe(true);
  });
});
