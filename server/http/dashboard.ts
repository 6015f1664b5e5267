import fs from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler, Router } from 'express';

/** Where scripts/buildDashboard.ts puts the built dashboard and explorer. */
export const DEFAULT_DASHBOARD_DIR = path.resolve(__dirname, '..', '..', 'dist', 'dashboard');

const NOT_BUILT = 'The dashboard has not been built: `npm start` builds it, or run `npm run build:dashboard`.';

/**
 * The web dashboard at / and the GraphQL explorer at GET /graphql for a browser (Accept: text/html), both static
 * files from the dashboard build. They are clients like any other: they hold the key in the browser and call
 * POST /graphql with it, so nothing here authenticates. POSTs and non-HTML GETs of /graphql pass through.
 */
export function dashboard(dir: string = DEFAULT_DASHBOARD_DIR): Router {
  const router = Router();
  const page = (file: string): RequestHandler => (_req, res) => {
    const full = path.join(dir, file);
    if (!fs.existsSync(full)) {
      res.status(404).type('text/plain').send(NOT_BUILT);
      return;
    }
    // The page names its hashed assets; it must be asked for again after every build.
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(full);
  };
  const explorer = page('graphql.html');
  router.get('/graphql', (req, res, next) => {
    // Content negotiation: a browser asks for text/html first; curl (*/*) and GraphQL clients (JSON) get the API.
    if (req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html') explorer(req, res, next);
    else next();
  });
  router.get(['/', '/index.html'], page('index.html'));
  // Asset names carry a content hash, so a browser may keep them for good.
  router.use('/assets', express.static(path.join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false }));
  return router;
}
