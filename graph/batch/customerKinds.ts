import type { ConnectCustomersInput, FollowInput, UpsertCustomerInput } from '../../schema/generated/types';
import {
  checkCustomersExist, checkUpsertState, connectFields, CONNECT, CUSTOMER_STATE, EXISTING_IDS, FOLLOW, followFields, parseConnect, parseFollow,
  parseUpsertCustomer, socialTie, UPSERT_CUSTOMER,
} from '../customers';
import { identifierLinks, LINK_IDENTIFIERS } from '../identifiers';
import { part, Step, step } from './combined';
import { byIndex, bulkKind, Planned } from './kind';

// Customers and the ties between them, in bulk: the same checks and statements as graph/customers.ts.

export const upsertCustomers = bulkKind({
  parse: (input: UpsertCustomerInput, now: number) => ({ ...parseUpsertCustomer(input), now }),
  needs: (row) => ({ customers: [row.id] }),
  access: (row, facts) => {
    const emails = facts.emailChange(row.id, row.email);
    if (row.email === null) facts.created(row.id);
    return { reads: [], writes: [`c:${row.id}`, ...emails] };
  },
  read: (rows) =>
    step({ states: part(CUSTOMER_STATE, { rows: rows.map(({ index, parsed }) => ({ index, id: parsed.id, email: parsed.email })) }, ['index', 'stageRank', 'stage', 'emailTaken']) }, ({ states }) =>
      byIndex(states),
    ),
  decide: (row, state) => checkUpsertState(row, state),
  write: (rows) => {
    const links = identifierLinks(rows.map(({ parsed }) => ({ customerId: parsed.id, at: parsed.now, identifiers: parsed.identifiers })));
    return step(
      {
        customers: part(UPSERT_CUSTOMER, { rows: rows.map(({ index, parsed }) => ({ ...parsed, index })) }, ['index', 'customer']),
        identifiers: part(LINK_IDENTIFIERS, { rows: links }, []),
      },
      ({ customers }) => new Map(customers.map((row) => [row.index, row.customer])),
    );
  },
  identifierOwner: (row) => (row.identifiers.length > 0 ? row.id : null),
});

/** For each row, the set of the step's customers that exist: one read for the whole step. */
export function existenceOf<P>(rows: Planned<P>[], fields: (parsed: P) => Record<string, string>): Step<Map<number, Set<string>>> {
  const ids = [...new Set(rows.flatMap(({ parsed }) => Object.values(fields(parsed))))];
  return step({ existing: part(EXISTING_IDS, { ids }, ['ids']) }, ({ existing }) => {
    const found = new Set(existing[0]?.ids ?? []);
    return new Map(rows.map(({ index }) => [index, found]));
  });
}

const pair = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

export const connectCustomers = bulkKind({
  parse: (input: ConnectCustomersInput, now: number) => parseConnect(input, now),
  access: (row) => ({ reads: [`c:${row.customerId}`, `c:${row.otherId}`], writes: [`knows:${pair(row.customerId, row.otherId)}`] }),
  read: (rows) => existenceOf(rows, connectFields),
  decide: (row, found) => checkCustomersExist(found, connectFields(row)),
  write: (rows) =>
    step({ ties: part(CONNECT, { rows: rows.map(({ index, parsed }) => ({ ...parsed, index })) }, ['index', 'strength', 'since']) }, ({ ties }) => {
      const written = byIndex(ties);
      return new Map(rows.map(({ index, parsed }) => [index, socialTie(parsed, written.get(index)!)]));
    }),
});

export const follows = bulkKind({
  parse: (input: FollowInput, now: number) => parseFollow(input, now),
  access: (row) => ({ reads: [`c:${row.followedId}`], writes: [`c:${row.followerId}`] }),
  read: (rows) => existenceOf(rows, followFields),
  decide: (row, found) => checkCustomersExist(found, followFields(row)),
  write: (rows) =>
    step({ follows: part(FOLLOW, { rows: rows.map(({ index, parsed }) => ({ ...parsed, index })) }, ['index']) }, () =>
      new Map(rows.map(({ index, parsed }) => [index, followFields(parsed)])),
    ),
});
