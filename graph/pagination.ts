import { badInput } from './errors';
import { Page } from './model';

export const MAX_PAGE_SIZE = 100;

export interface PageRequest {
  skip: number;
  limit: number;
}

export const encodeCursor = (offset: number) => Buffer.from(`o:${offset}`).toString('base64url');

/** Cursors are offsets into a stable order (each list query orders by a unique key last). */
export function pageRequest(first: number | null | undefined, after: string | null | undefined): PageRequest {
  const limit = first ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw badInput('first', `first must be from 1 to ${MAX_PAGE_SIZE}; got ${limit}.`);
  }
  if (after === null || after === undefined) return { skip: 0, limit };
  const match = /^o:(\d{1,9})$/.exec(Buffer.from(after, 'base64url').toString());
  if (!match) throw badInput('after', 'after is not a cursor returned by this API.');
  return { skip: Number(match[1]) + 1, limit };
}

export function toPage<T>(items: T[], request: PageRequest, totalCount: number): Page<T> {
  return { items, offset: request.skip, hasNextPage: request.skip + items.length < totalCount, totalCount };
}
