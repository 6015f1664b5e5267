import type { ConnectCustomersInput, FollowInput, UpsertCustomerInput } from '../../schema/generated/types';
import {
  checkCustomersExist, checkUpsertState, connectFields, CONNECT, CUSTOMER_STATE, EXISTING_IDS, FOLLOW, followFields, parseConnect, parseFollow,
  parseUpsertCustomer, socialTie, UPSERT_CUSTOMER,
} from '../customers';
import { linkIdentifiers } from '../identifiers';
import { Tx } from '../neo4j';
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
  read: (tx, rows) => byIndex(rows, () => tx.run(CUSTOMER_STATE, { rows: rows.map(({ index, parsed }) => ({ index, id: parsed.id, email: parsed.email })) })),
  decide: (row, state) => checkUpsertState(row, state),
  write: async (tx, rows) => {
    const written = await byIndex(rows, () => tx.run(UPSERT_CUSTOMER, { rows: rows.map(({ index, parsed }) => ({ ...parsed, index })) }));
    await linkIdentifiers(tx, rows.map(({ parsed }) => ({ customerId: parsed.id, at: parsed.now, identifiers: parsed.identifiers })));
    return new Map([...written].map(([index, row]) => [index, row.customer]));
  },
  identifierOwner: (row) => (row.identifiers.length > 0 ? row.id : null),
});

/** Which of the customers these rows name exist: one read for the whole step. */
async function existing(tx: Tx, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const [row] = await tx.run(EXISTING_IDS, { ids: [...new Set(ids)] });
  return new Set(row.ids);
}

/** For each row, the set of the step's customers that exist. */
export const existenceOf = async <P>(tx: Tx, rows: Planned<P>[], fields: (parsed: P) => Record<string, string>) => {
  const found = await existing(tx, rows.flatMap(({ parsed }) => Object.values(fields(parsed))));
  return new Map(rows.map(({ index }) => [index, found]));
};

const pair = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

export const connectCustomers = bulkKind({
  parse: (input: ConnectCustomersInput, now: number) => parseConnect(input, now),
  access: (row) => ({ reads: [`c:${row.customerId}`, `c:${row.otherId}`], writes: [`knows:${pair(row.customerId, row.otherId)}`] }),
  read: (tx, rows) => existenceOf(tx, rows, connectFields),
  decide: (row, found) => checkCustomersExist(found, connectFields(row)),
  write: async (tx, rows) => {
    const written = await byIndex(rows, () => tx.run(CONNECT, { rows: rows.map(({ index, parsed }) => ({ ...parsed, index })) }));
    return new Map(rows.map(({ index, parsed }) => [index, socialTie(parsed, written.get(index)!)]));
  },
});

export const follows = bulkKind({
  parse: (input: FollowInput, now: number) => parseFollow(input, now),
  access: (row) => ({ reads: [`c:${row.followedId}`], writes: [`c:${row.followerId}`] }),
  read: (tx, rows) => existenceOf(tx, rows, followFields),
  decide: (row, found) => checkCustomersExist(found, followFields(row)),
  write: async (tx, rows) => {
    if (rows.length > 0) await tx.run(FOLLOW, { rows: rows.map(({ index, parsed }) => ({ ...parsed, index })) });
    return new Map(rows.map(({ index, parsed }) => [index, followFields(parsed)]));
  },
});
