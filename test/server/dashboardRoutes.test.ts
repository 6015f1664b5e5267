import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { buildDashboard, DASHBOARD_OUTPUT } from '../../scripts/buildDashboard';
import { KEYS, startTestApi, TestApi } from '../support/services';

describe('the routes of the dashboard and the explorer', () => {
  let api: TestApi;
  beforeAll(async () => {
    buildDashboard();
    api = await startTestApi();
  });
  afterAll(() => api.close());

  test('/ serves the dashboard page, asked for again after every build, and its assets are cached for good', async () => {
    const page = await request(api.app.app).get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    const script = /src="(\/assets\/dashboard-[\w-]+\.js)"/.exec(page.text)?.[1];
    expect(script).toBeDefined();
    const asset = await request(api.app.app).get(script!);
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await request(api.app.app).get('/assets/missing-0000.js')).status).toBe(404);
    // The build's own bookkeeping is not served.
    expect(fs.existsSync(path.join(DASHBOARD_OUTPUT, '.build-hash'))).toBe(true);
    expect((await request(api.app.app).get('/.build-hash')).status).toBe(404);
  });

  test('GET /graphql is the explorer only for a browser; curl, JSON clients and POSTs reach the API as before', async () => {
    const browser = await request(api.app.app).get('/graphql').set('accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(browser.text).toContain('<title>Grapevine GraphQL explorer</title>');
    for (const accept of ['*/*', 'application/json', 'application/graphql-response+json']) {
      const response = await request(api.app.app).get('/graphql').query({ query: '{ serviceInfo { role } }' }).set('accept', accept);
      expect(response.status).toBe(401);
    }
    const withKey = await request(api.app.app).get('/graphql').query({ query: '{ serviceInfo { role } }' }).set('authorization', `Bearer ${KEYS.marketer}`).set('accept', 'application/json')
      // Apollo's CSRF prevention wants this header on a GET, as before.
      .set('apollo-require-preflight', 'true');
    expect(withKey.body).toEqual({ data: { serviceInfo: { role: 'MARKETER' } } });
    const post = await request(api.app.app).post('/graphql').set('authorization', `Bearer ${KEYS.marketer}`).send({ query: '{ serviceInfo { role } }' });
    expect(post.body).toEqual({ data: { serviceInfo: { role: 'MARKETER' } } });
    // A POST is never answered with the explorer, whatever it accepts: Apollo answers it, as before.
    const htmlPost = await request(api.app.app).post('/graphql').set('authorization', `Bearer ${KEYS.marketer}`).set('accept', 'text/html').send({ query: '{ serviceInfo { role } }' });
    expect(htmlPost.text).not.toContain('GraphQL explorer');
  });

  test('without a build, / says how to build the dashboard instead of failing', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'grapevine-no-dashboard-'));
    const { dashboard } = await import('../../server/http/dashboard');
    const express = (await import('express')).default;
    const app = express().use(dashboard(empty));
    const response = await request(app).get('/');
    expect(response.status).toBe(404);
    expect(response.text).toContain('npm run build:dashboard');
    fs.rmSync(empty, { recursive: true });
  });
});
