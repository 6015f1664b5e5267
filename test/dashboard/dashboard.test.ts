import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadSyntheticGraph } from '../../graph/bulkLoad';
import { generateSyntheticGraph } from '../../graph/synthetic';
import { expectText, launchBrowser, openPage, SCREENSHOTS, serve, ServedApp, signIn, textOf } from '../support/browser';
import { startExclusiveTestApi } from '../support/exclusive';
import { KEYS, TestApi } from '../support/services';

// The dashboard in a real Chromium against the real service holding the demo network that `npm start` loads
// (2,000 customers, seed 42), on an exclusive Neo4j and Redis so that whole-graph numbers are exactly the demo's.
// The API runs in production mode, so every page is loaded under the production Content-Security-Policy, and
// any script error or CSP violation fails the test. The screenshots in docs/screenshots are taken here.

const INTEGER = new Intl.NumberFormat('en');
const DECIMAL = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
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
  let api: TestApi;
  let served: ServedApp;
  let problems: string[] = [];

  async function gql<T>(query: string, variables?: Record<string, unknown>, role: 'marketer' | 'admin' = 'marketer'): Promise<T> {
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
    api = await startExclusiveTestApi({ NODE_ENV: 'production' });
    await loadSyntheticGraph(api.graph, generateSyntheticGraph(2000, 42));
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
    expect(campaigns.map((campaign) => campaign.id).sort()).toEqual(['spring-friends', 'vip-advocates']);
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
    await page.locator('.graphiql-execute-button').click();
    await expectText(page.locator('.result-window'), /"role": "ADMIN"/);
    await shoot(page, 'explorer');
  });

  test('on a phone-sized screen the pages fit the width, and the navigation still leads everywhere', async () => {
    const page = await newPage(KEYS.marketer, { width: 390, height: 844 });
    await page.goto(`${served.url}/#/customer/c5`);
    await page.getByTestId('reach-table').waitFor();
    await page.getByTestId('tree-count').waitFor();
    const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await shoot(page, 'customer-phone');
    for (const name of ['Programme overview', 'Customer', 'How you’re connected']) expect(await page.getByRole('link', { name, exact: true }).isVisible()).toBe(true);
  });
});
