import { badInput } from './errors';
import { Page } from './model';

export const MAX_PAGE_SIZE = 100;
const MAX_CURSOR_LENGTH = 2048;

/** A value of a sort key, as stored in a cursor. */
export type CursorValue = string | number;

/**
 * One sort key of a list: a Cypher expression over the list's pattern that is never null, its direction,
 * and the type its values have. A list's sort keys end with a unique one, so the order is total.
 */
export interface SortKey {
  expression: string;
  direction: 'ASC' | 'DESC';
  type: 'number' | 'string';
}

export interface PageRequest {
  limit: number;
  /** The sort key values of the item the page starts after; null for the first page. */
  after: CursorValue[] | null;
  /** The cursor as the client sent it, so that owners asking for the same page can share one query. */
  cursor: string | null;
}

/**
 * Keyset cursors: a cursor holds the list's name and the sort key values of its item, so the next page
 * starts strictly after that position in the order whatever was added or removed meanwhile. Items that
 * existed throughout are never skipped or repeated; an item inserted before the position is not seen.
 * Cursors are base64url JSON, opaque to clients.
 */
export const encodeCursor = (list: string, key: readonly CursorValue[]) => Buffer.from(JSON.stringify({ l: list, k: key })).toString('base64url');

function decodeCursor(list: string, keys: readonly SortKey[], after: string): CursorValue[] {
  const refuse = () => badInput('after', 'after is not a cursor this API returned for this list.');
  if (after.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(after)) throw refuse();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (typeof decoded !== 'object' || decoded === null) throw refuse();
  const { l, k } = decoded as { l?: unknown; k?: unknown };
  if (l !== list || !Array.isArray(k) || k.length !== keys.length) throw refuse();
  const values: unknown[] = k;
  const fits = (value: unknown, key: SortKey) => (key.type === 'number' ? typeof value === 'number' && Number.isFinite(value) : typeof value === 'string');
  if (!values.every((value, index) => fits(value, keys[index]))) throw refuse();
  return values as CursorValue[];
}

export function pageRequest(list: string, keys: readonly SortKey[], first: number | null | undefined, after: string | null | undefined): PageRequest {
  const limit = first ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw badInput('first', `first must be from 1 to ${MAX_PAGE_SIZE}; got ${limit}.`);
  }
  if (after === null || after === undefined) return { limit, after: null, cursor: null };
  return { limit, after: decodeCursor(list, keys, after), cursor: after };
}

/** `ORDER BY` for a list's sort keys. */
export const orderBy = (keys: readonly SortKey[]) => keys.map((key) => `${key.expression} ${key.direction}`).join(', ');

/**
 * The condition "this item comes after `$after` in the list's order". Cypher has no tuple comparison,
 * so (a, b, c) > ($a, $b, $c) is expanded: a after $a, or a = $a and (b after $b, or b = $b and …).
 */
export function afterCursor(keys: readonly SortKey[], param = '$after'): string {
  const comes = (index: number): string => {
    const key = keys[index];
    const strictly = `${key.expression} ${key.direction === 'DESC' ? '<' : '>'} ${param}[${index}]`;
    if (index === keys.length - 1) return strictly;
    return `${strictly} OR (${key.expression} = ${param}[${index}] AND (${comes(index + 1)}))`;
  };
  return `${param} IS NULL OR (${comes(0)})`;
}

/** A page from the rows of one owner: the query fetched one item more than the page, to tell whether more follow. */
export function toPage<T>(list: string, rows: ReadonlyArray<{ item: T; key: CursorValue[] }>, request: PageRequest, totalCount: number): Page<T> {
  const shown = rows.slice(0, request.limit);
  return {
    items: shown.map((row) => row.item),
    cursors: shown.map((row) => encodeCursor(list, row.key)),
    hasNextPage: rows.length > request.limit,
    hasPreviousPage: request.after !== null,
    totalCount,
  };
}

export const emptyPage = <T>(request: PageRequest): Page<T> => ({
  items: [],
  cursors: [],
  hasNextPage: false,
  hasPreviousPage: request.after !== null,
  totalCount: 0,
});
