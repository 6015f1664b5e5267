import { DomainError } from './errors';
import { IdempotencyLedger } from './idempotency';
import { Graph, Tx } from './neo4j';
import { checkIdempotencyKey } from './validate';

/**
 * A mutation outside the event kinds (a manager's review decision, a refund, a payment mark) with the same
 * idempotency as recordEvent: its own transaction, its key claimed when it opens, a replay with the same input
 * returning the first result and writing nothing, the same key with other input a CONFLICT. Errors are named
 * from `input`.
 */
export async function keyedWrite<I extends { idempotencyKey: string }, R>(
  graph: Graph,
  kind: string,
  input: I,
  write: (tx: Tx) => Promise<R>,
  subjects: (result: R) => string[],
  now = Date.now(),
): Promise<{ result: R; replayed: boolean }> {
  try {
    const key = checkIdempotencyKey('idempotencyKey', input.idempotencyKey);
    return await graph.writeTransaction(async (tx) => {
      const ledger = await IdempotencyLedger.open(tx, [key], now);
      const outcome = await ledger.once('idempotencyKey', key, kind, input, async () => {
        const result = await write(tx);
        return { result, subjects: subjects(result) };
      });
      await ledger.close();
      return outcome;
    });
  } catch (error) {
    throw error instanceof DomainError ? error.under('input') : error;
  }
}
