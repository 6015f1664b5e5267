import { cypher, Tx } from './neo4j';

// Rules that span several nodes (a customer signs up once; no cycle in the chain of credited referrals)
// hold because the writers that could break them take write locks on the same nodes before they read.
// Neo4j takes a node's write lock on the first write to it and holds it until the transaction ends.
// WRITE_LOCK sets a property nothing else uses and removes it again: a write that leaves nothing behind.
// (Not `SET c.id = c.id`: the right-hand side is read before the lock is granted, so a writer that
// waited behind an erasure would write the erased id back. REMOVE of an absent property takes no lock.)
// Locks are taken in elementId order, one statement per
// set, so that two writers wanting the same nodes queue instead of deadlocking; a deadlock that still
// happens (locks taken in two steps) is a transient error the driver retries from the start.

/** The Cypher that write-locks the node bound to `variable`, leaving it unchanged. */
export const WRITE_LOCK = (variable: string) => `SET ${variable}.grapevineLock = true REMOVE ${variable}.grapevineLock`;

/** A customer's lock key: its elementId, which never changes (eraseCustomer rewrites `id`). */
export type LockKey = string;

export const LOCK_BY_KEY = cypher<{ key: LockKey }>(
  'lock.customers',
  `UNWIND $keys AS key
   MATCH (c:Customer) WHERE elementId(c) = key
   ${WRITE_LOCK('c')}
   RETURN key`,
);

/** Write-locks the customers with these elementIds, in sorted order, and returns the keys locked. */
export async function lockCustomers(tx: Tx, keys: Iterable<LockKey>): Promise<LockKey[]> {
  const sorted = [...new Set(keys)].sort();
  if (sorted.length === 0) return [];
  const rows = await tx.run(LOCK_BY_KEY, { keys: sorted });
  return rows.map((row) => row.key);
}
