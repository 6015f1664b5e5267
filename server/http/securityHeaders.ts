import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's defaults on every response (HSTS, nosniff, frame and referrer policies, a strict
 * Content-Security-Policy, cross-origin isolation headers). They change nothing for JSON answers to
 * GraphQL POSTs. The dashboard and the explorer (server/http/dashboard.ts) load only their own bundled files,
 * with no inline script, so they work under the production CSP (`default-src 'self'`; tested in
 * test/dashboard/csp.test.ts). Outside production the CSP stays off, as before, so that a developer on plain
 * http://localhost is not caught by its `upgrade-insecure-requests`.
 */
export function securityHeaders(production: boolean): RequestHandler {
  return helmet(production ? {} : { contentSecurityPolicy: false, crossOriginEmbedderPolicy: false });
}
