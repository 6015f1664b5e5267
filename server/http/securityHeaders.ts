import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's defaults on every response (HSTS, nosniff, frame and referrer policies, a strict
 * Content-Security-Policy, cross-origin isolation headers). They change nothing for JSON answers to
 * GraphQL POSTs. The dashboard and the explorer (server/http/dashboard.ts) load only their own bundled files,
 * with no inline script, so they work under the production CSP (`default-src 'self'`; tested in
 * test/dashboard/dashboard.test.ts, which runs the API in production mode). Outside production the CSP stays off,
 * as it was; nothing served needs it off any more.
 */
export function securityHeaders(production: boolean): RequestHandler {
  return helmet(production ? {} : { contentSecurityPolicy: false, crossOriginEmbedderPolicy: false });
}
