import crypto from 'node:crypto';
import { conflict } from './errors';
import { cypher, Tx } from './neo4j';

// MERGE on the unique key locks it, so a concurrent replay waits for the first writer and then sees its result.
const CLAIM_KEY = cypher(
  'idempotency.claim',
  `MERGE (k:IdempotencyKey {key: $key})
   ON CREATE SET k.pending = true
   RETURN k.pending AS fresh, k.kind AS kind, k.inputHash AS inputHash, k.result AS result`,
);

const STORE_RESULT = cypher(
  'idempotency.store',
  `MATCH (k:IdempotencyKey {key: $key})
   SET k.kind = $kind, k.inputHash = $inputHash, k.result = $result, k.subjects = $subjects, k.at = $now
   REMOVE k.pending`,
);

export interface Once<T> {
  result: T;
  replayed: boolean;
}

/**
 * Runs `apply` once per idempotency key, inside the caller's transaction: a replay with the same
 * input returns the stored first result and writes nothing; the same key with other input is a conflict.
 * `subjects` are the customer ids the result names, so erasure can forget results holding their data.
 */
export async function once<T>(
  tx: Tx,
  field: string,
  key: string,
  kind: string,
  input: unknown,
  apply: () => Promise<{ result: T; subjects: string[] }>,
  now: number,
): Promise<Once<T>> {
  const inputHash = crypto.createHash('sha256').update(JSON.stringify(input)).digest('base64url');
  const [claim] = await tx.run(CLAIM_KEY, { key });
  if (claim.fresh !== true) {
    if (claim.kind !== kind || claim.inputHash !== inputHash) {
      throw conflict(field, `idempotency key "${key}" was already used for a different ${claim.kind === kind ? 'input' : String(claim.kind)}.`);
    }
    return { result: JSON.parse(String(claim.result)) as T, replayed: true };
  }
  const { result, subjects } = await apply();
  await tx.run(STORE_RESULT, { key, kind, inputHash, result: JSON.stringify(result), subjects, now });
  return { result, replayed: false };
}
