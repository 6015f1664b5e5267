import type { Browser } from 'playwright-core';
import { connectGraph } from '../../graph/neo4j';
import { createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { createMetrics } from '../../server/metrics';
import { expectText, launchBrowser, openPage, serve, ServedApp, signIn } from '../support/browser';
import { KEYS, startTestApi, TestApi, testStore } from '../support/services';
import net from 'node:net';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

describe('the dashboard when things go wrong', () => {
  let browser: Browser;
  let api: TestApi;
  let served: ServedApp;
  beforeAll(async () => {
    browser = await launchBrowser();
    api = await startTestApi();
    served = await serve(api.app);
  });
  afterAll(async () => {
    await served?.close();
    await api?.close();
    await browser?.close();
  });

  test('a key the server does not accept leaves the reader on the sign-in form, told why, with nothing stored', async () => {
    const { page, problems } = await openPage(browser);
    await page.goto(served.url);
    await page.getByLabel('API key').fill('not-a-key-this-server-knows');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.getByTestId('sign-in-message'), /not accepted/);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    // The browser logs the 401 itself; nothing else went wrong.
    expect(problems.filter((problem) => !/401/.test(problem))).toEqual([]);
  });

  test('a key revoked after sign-in sends the reader back to the sign-in form with the reason', async () => {
    const { page } = await openPage(browser);
    await signIn(page, served.url, KEYS.marketer, '#/connection');
    // The server forgets the key (as after a rotation of API_KEYS): the tab still holds it.
    await page.evaluate("sessionStorage.setItem('grapevine.apiKey', 'revoked-key-000000000000')");
    await page.reload();
    await expectText(page.getByTestId('sign-in-message'), /did not accept this API key/);
    expect(await page.evaluate("sessionStorage.getItem('grapevine.apiKey')")).toBeNull();
  });

  test('the key is kept in session storage and never put in the address', async () => {
    const { page } = await openPage(browser);
    await signIn(page, served.url, KEYS.admin, '#/connection');
    await page.getByRole('link', { name: 'Customer' }).click();
    expect(page.url()).not.toContain(KEYS.admin);
    expect(await page.evaluate("sessionStorage.getItem('grapevine.apiKey')")).toBe(KEYS.admin);
    expect(await page.evaluate('localStorage.length')).toBe(0);
  });

  test('past the rate limit the page says "too many requests" and when to retry, from Retry-After', async () => {
    // Counted per key in Redis: the community key is this test's alone. Sign-in is the first request of the minute.
    const limited = await startTestApi({ RATE_LIMIT_PER_MINUTE: '2' });
    const limitedServed = await serve(limited.app);
    try {
      const { page } = await openPage(browser);
      // Sign-in is one request; the overview then asks for the campaigns, the funnel and each campaign's row.
      await signIn(page, limitedServed.url, KEYS.community);
      const alert = page.locator('[data-error-kind="rateLimited"]').first();
      await expectText(alert, /Too many requests: retry in \d+ s\./);
      await expectText(alert.getByRole('button'), /Retry in \d+ s/);
      expect(await alert.getByRole('button').isDisabled()).toBe(true);
    } finally {
      await limitedServed.close();
      await limited.close();
    }
  });

  test('with Neo4j unreachable, signing in says the service is unavailable and when to retry', async () => {
    const deadGraph = connectGraph({ uri: `bolt://127.0.0.1:${await freePort()}`, user: 'neo4j', password: '' });
    const store = testStore();
    const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
    const app = await createApp({ config, apiKeys: [{ key: KEYS.marketer, role: 'marketer' }], graph: deadGraph, store, log: createLogger('silent'), metrics: createMetrics() });
    const deadServed = await serve(app);
    try {
      const { page } = await openPage(browser);
      await page.goto(deadServed.url);
      await page.getByLabel('API key').fill(KEYS.marketer);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expectText(page.getByTestId('sign-in-message'), /unavailable right now: retry in \d+ s/);
    } finally {
      await deadServed.close();
      await app.stop();
      await deadGraph.close();
      await store.close();
    }
  });
});
