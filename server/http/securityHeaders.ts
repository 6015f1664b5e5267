import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's defaults on every response (HSTS, nosniff, frame and referrer policies, a strict
 * Content-Security-Policy, cross-origin isolation headers). They change nothing for JSON answers to
 * GraphQL POSTs; the CSP would only block the Apollo Sandbox landing page, which production disables,
 * so outside production the CSP is left off and the Sandbox still loads.
 */
export function securityHeaders(production: boolean): RequestHandler {
  return helmet(production ? {} : { contentSecurityPolicy: false, crossOriginEmbedderPolicy: false });
}
