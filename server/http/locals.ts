import type { Response } from 'express';
import type { Caller } from '../auth';
import type { Logger } from '../logger';

/** What the HTTP middleware learns about a request, for the middleware and GraphQL context after it. */
export interface RequestLocals {
  requestId: string;
  log: Logger;
  caller?: Caller;
}

export const locals = (res: Response) => res.locals as RequestLocals;

/** The body of an error answered outside GraphQL execution, shaped like a GraphQL error. */
export const errorBody = (message: string, code: string) => ({ errors: [{ message, extensions: { code } }] });
