import type { RequestHandler } from 'express';
import { ERROR_CODES } from '../../graph/errors';
import { createAuthenticator } from '../auth';
import type { ApiKey } from '../config';
import { errorBody, locals } from './locals';

/** No key or an unknown key: HTTP 401 before anything else runs. */
export function authenticate(apiKeys: ApiKey[]): RequestHandler {
  const identify = createAuthenticator(apiKeys);
  return (req, res, next) => {
    const caller = identify(req.header('authorization'));
    if (!caller) {
      res.status(401).setHeader('www-authenticate', 'Bearer').json(errorBody('Send an API key as "Authorization: Bearer <key>".', ERROR_CODES.UNAUTHENTICATED));
      return;
    }
    locals(res).caller = caller;
    next();
  };
}
