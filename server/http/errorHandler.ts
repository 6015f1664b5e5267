import type { ErrorRequestHandler } from 'express';
import { ERROR_CODES } from '../../graph/errors';
import type { Logger } from '../logger';
import { errorBody, locals } from './locals';

type HttpError = Error & { type?: string; status?: number; statusCode?: number; expose?: boolean };

/**
 * Errors raised before GraphQL runs (body parsing and the like) answer with a 4xx and a code; the rest
 * are logged. Whatever body-parser refuses is the client's doing: it says so with a 4xx status and
 * `expose`, and the answer keeps that status (an unknown charset or encoding is 415).
 */
export function errorHandler(log: Logger, maxBodyBytes: number): ErrorRequestHandler {
  return (error: HttpError, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status = error.status ?? error.statusCode;
    if (error.type === 'entity.too.large') {
      res.status(413).json(errorBody(`The request body is larger than ${maxBodyBytes} bytes.`, ERROR_CODES.PAYLOAD_TOO_LARGE));
    } else if (error.type === 'entity.parse.failed') {
      res.status(400).json(errorBody('The request body is not valid JSON.', ERROR_CODES.BAD_REQUEST));
    } else if (error.type === 'charset.unsupported' || error.type === 'encoding.unsupported') {
      res.status(415).json(errorBody(`${error.message}; send JSON in UTF-8.`, ERROR_CODES.UNSUPPORTED_MEDIA_TYPE));
    } else if (error.expose && typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json(errorBody(`The request could not be read: ${error.message}.`, ERROR_CODES.BAD_REQUEST));
    } else {
      (locals(res).log ?? log).error({ err: error }, 'request failed');
      res.status(500).json(errorBody('Internal server error.', ERROR_CODES.INTERNAL_SERVER_ERROR));
    }
  };
}
