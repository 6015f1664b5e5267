import type { ErrorRequestHandler } from 'express';
import { ERROR_CODES } from '../../graph/errors';
import type { Logger } from '../logger';
import { errorBody, locals } from './locals';

/** Errors raised before GraphQL runs (body parsing and the like) answer with a 4xx and a code; the rest are logged. */
export function errorHandler(log: Logger, maxBodyBytes: number): ErrorRequestHandler {
  return (error: Error & { type?: string; status?: number }, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error.type === 'entity.too.large') {
      res.status(413).json(errorBody(`The request body is larger than ${maxBodyBytes} bytes.`, ERROR_CODES.PAYLOAD_TOO_LARGE));
    } else if (error.type === 'entity.parse.failed') {
      res.status(400).json(errorBody('The request body is not valid JSON.', ERROR_CODES.BAD_REQUEST));
    } else {
      (locals(res).log ?? log).error({ err: error }, 'request failed');
      res.status(500).json(errorBody('Internal server error.', ERROR_CODES.INTERNAL_SERVER_ERROR));
    }
  };
}
