import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger';
import { locals } from './locals';

/**
 * Gives every request an id (the client's `x-request-id` when well-formed) and logs one line when it ends,
 * plus a debug line when it arrives (so an operator, or a test, can see that a request is in flight).
 */
export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const header = req.header('x-request-id');
    const requestId = header && /^[\w.-]{1,100}$/.test(header) ? header : crypto.randomUUID();
    res.setHeader('x-request-id', requestId);
    locals(res).requestId = requestId;
    locals(res).log = log.child({ requestId });
    const started = process.hrtime.bigint();
    locals(res).log.debug({ method: req.method, path: req.originalUrl.split('?')[0] }, 'request received');
    res.on('finish', () => {
      locals(res).log.info(
        { method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6, role: locals(res).caller?.role },
        'request',
      );
    });
    next();
  };
}
