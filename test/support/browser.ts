import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { buildDashboard } from '../../scripts/buildDashboard';
import type { App } from '../../server/app';

// The dashboard tests drive the built dashboard in a real headless Chromium (Debian's `chromium`, which
// scripts/ensure-deps.js installs for `npm test`; CHROMIUM_PATH names another) against a real API on a free port.

function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  const onPath = (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'chromium')).find((file) => fs.existsSync(file));
  return onPath ?? '/usr/bin/chromium';
}

/** Builds the dashboard when its sources changed (npm test has already), then starts Chromium. */
export async function launchBrowser(): Promise<Browser> {
  buildDashboard();
  // As root (CI containers) Chromium refuses to start with its sandbox.
  return chromium.launch({ executablePath: chromiumPath(), args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
}

export interface ServedApp {
  url: string;
  close(): Promise<void>;
}

/** Listens with the app on a free port of 127.0.0.1, as `npm start` does on its port. */
export async function serve(app: App): Promise<ServedApp> {
  const server = http.createServer(app.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A page that records what the browser complains about (script errors, CSP violations, failed loads). */
export async function openPage(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  return { page, problems };
}

/** Signs in through the form, as a person would, and waits for the navigation to show the role; `hash` picks the page. */
export async function signIn(page: Page, url: string, key: string, hash = ''): Promise<void> {
  await page.goto(`${url}/${hash}`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('role').waitFor();
}

export const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');

/** Waits until the element shows text matching the pattern; fails naming the element when it never does. */
export async function expectText(locator: Locator, pattern: RegExp, timeout = 20000): Promise<void> {
  await locator.filter({ hasText: pattern }).first().waitFor({ timeout });
}

/** The text of an element, trimmed. */
export async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').trim();
}

/** The settings the dashboard tests run the API with: production mode, so every page loads under its CSP (the test APIs carry the identifier secret production requires). */
// A page asks for several whole-graph answers at once (the advocates page: the ranking, the untapped list, the
// seeding plan), each a first computation on a fresh database; on a loaded machine they outlast the default
// WHOLE_GRAPH_WAIT_MS, and the third would be refused with 429 before a slot frees up.
export const PRODUCTION_SETTINGS: Record<string, string> = { NODE_ENV: 'production', WHOLE_GRAPH_WAIT_MS: '60000' };
