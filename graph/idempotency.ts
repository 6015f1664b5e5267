import crypto from 'node:crypto';
import { conflict } from './errors';
import { cypher, Graph, Tx } from './neo4j';

/**
 * Keys are kept for a retention (IDEMPOTENCY_RETENTION_HOURS) counted from `k.at`, when the result was
 * stored; a background job purges older ones. The replay guarantee holds within the retention: a key
 * used again after its purge is a new request.
 *
 * A claim is part of the transaction that claims it: MERGE creates the key `pending` and the same
 * transaction stores the result, so a transaction that rolls back takes its claim with it and no
 * pending key outlives its request. `k.at` is set at the claim too, so that even a pending key that
 * somehow survived would expire like any other.
 */

// MERGE on the unique key locks it, so a concurrent replay waits for the first writer and then sees
// its result. Keys are claimed in sorted order so that two batches sharing keys cannot deadlock.
const CLAIM_KEYS = cypher<{ key: string; fresh: boolean; kind: string | null; inputHash: string | null; result: string | null }>(
  'idempotency.claim',
  `UNWIND $keys AS key
   MERGE (k:IdempotencyKey {key: key})
   ON CREATE SET k.pending = true, k.at = $now
   RETURN key, k.pending IS NOT NULL AS fresh, k.kind AS kind, k.inputHash AS inputHash, k.result AS result`,
);

// ABOUT links a stored result to each customer it names, so erasure and export find a customer's keys
// through the customer instead of scanning every key. Every key stored here was claimed fresh by this
// transaction (a replay stores nothing), so it has no ABOUT links yet: CREATE, not MERGE, which saves an
// expand and a locking merge per link. Each row carries its distinct subjects (`about`), read from the
// parameter rather than from k.subjects just set, so the planner needs no Eager, and the key found once
// serves all its links (checked with EXPLAIN).
const STORE_RESULTS = cypher(
  'idempotency.store',
  `UNWIND $rows AS row
   MATCH (k:IdempotencyKey {key: row.key})
   SET k.kind = row.kind, k.inputHash = row.inputHash, k.result = row.result, k.subjects = row.subjects, k.at = $now
   REMOVE k.pending
   WITH k, row
   UNWIND row.about AS subject
   MATCH (c:Customer {id: subject})
   CREATE (k)-[:ABOUT]->(c)`,
);

// Uses the idempotency_key_at index; small batches keep each transaction (and its locks) short.
const PURGE_EXPIRED = cypher<{ purged: number }>(
  'idempotency.purgeExpired',
  `MATCH (k:IdempotencyKey) WHERE k.at < $cutoff
   WITH k LIMIT $batch
   DETACH DELETE k
   RETURN count(*) AS purged`,
);

export const PURGE_BATCH_SIZE = 1000;

/**
 * Deletes every key stored before `cutoff` (epoch ms), one batch per transaction, until none is left
 * or `signal` aborts (between batches); returns how many it deleted.
 */
export async function purgeExpiredIdempotencyKeys(graph: Graph, cutoff: number, options: { batch?: number; signal?: AbortSignal } = {}): Promise<number> {
  const batch = options.batch ?? PURGE_BATCH_SIZE;
  let total = 0;
  while (!options.signal?.aborted) {
    const [row] = await graph.write(PURGE_EXPIRED, { cutoff, batch });
    total += row.purged;
    if (row.purged < batch) break;
  }
  return total;
}

export interface Once<T> {
  result: T;
  replayed: boolean;
}

interface Claim {
  fresh: boolean;
  kind: string | null;
  inputHash: string | null;
  result: string | null;
}

interface StoreRow {
  key: string;
  kind: string;
  inputHash: string;
  result: string;
  subjects: string[];
}

/**
 * The idempotency keys of one transaction: claimed together in one statement when it opens, their
 * first results stored together in one statement when it closes. A replay with the same input returns
 * the stored first result and writes nothing; the same key with other input is a conflict. A key used
 * twice in one batch behaves as if the second use came in a later request.
 */
export class IdempotencyLedger {
  private readonly pending: StoreRow[] = [];

  private constructor(
    private readonly tx: Tx,
    private readonly claims: Map<string, Claim>,
    private readonly now: number,
  ) {}

  static async open(tx: Tx, keys: readonly string[], now: number): Promise<IdempotencyLedger> {
    const distinct = [...new Set(keys)].sort();
    const rows = distinct.length === 0 ? [] : await tx.run(CLAIM_KEYS, { keys: distinct, now });
    const claims = new Map<string, Claim>(rows.map(({ key, ...claim }) => [key, claim]));
    return new IdempotencyLedger(tx, claims, now);
  }

  /** `subjects` are the customer ids the result names, so erasure can forget results holding their data. */
  async once<T>(field: string, key: string, kind: string, input: unknown, apply: () => Promise<{ result: T; subjects: string[] }>): Promise<Once<T>> {
    const use = this.reserve(field, key, kind, input);
    if (use.replayed) return { result: use.result as T, replayed: true };
    const { result, subjects } = await apply();
    this.remember(key, use.inputHash, result, subjects);
    return { result, replayed: false };
  }

  /**
   * Decides one use of `key` before anything is written: a replay (of a stored use, or of an earlier use
   * in this transaction, whose result may not be known yet), a conflict, or a first use, which the caller
   * applies and then passes to `remember`. A batch decides all its uses before it writes any event.
   */
  reserve(field: string, key: string, kind: string, input: unknown): { replayed: true; result: unknown } | { replayed: false; inputHash: string } {
    const inputHash = crypto.createHash('sha256').update(JSON.stringify(input)).digest('base64url');
    const claim = this.claims.get(key);
    if (!claim) throw new Error(`idempotency key "${key}" was not claimed when the transaction opened`);
    if (!claim.fresh) {
      if (claim.kind !== kind || claim.inputHash !== inputHash) {
        throw conflict(field, `idempotency key "${key}" was already used for a different ${claim.kind === kind ? 'input' : String(claim.kind)}.`);
      }
      return { replayed: true, result: claim.result === null ? null : JSON.parse(claim.result) };
    }
    this.claims.set(key, { fresh: false, kind, inputHash, result: null });
    return { replayed: false, inputHash };
  }

  /** The first use's result, stored when the transaction closes. */
  remember(key: string, inputHash: string, result: unknown, subjects: string[]): void {
    const claim = this.claims.get(key)!;
    const stored = JSON.stringify(result);
    this.claims.set(key, { ...claim, result: stored });
    this.pending.push({ key, kind: String(claim.kind), inputHash, result: stored, subjects });
  }

  async close(): Promise<void> {
    const store = this.takeStore();
    if (store) await this.tx.run(store.statement, store.params);
  }

  /**
   * The statement that stores the results remembered so far, for a caller that sends it together with its own
   * last statement (graph/batch/run.ts); they count as stored, so `close` stores only results remembered after.
   */
  takeStore(): { statement: typeof STORE_RESULTS; params: Record<string, unknown> } | null {
    if (this.pending.length === 0) return null;
    const rows = this.pending.splice(0).map((row) => ({ ...row, about: [...new Set(row.subjects)] }));
    return { statement: STORE_RESULTS, params: { rows, now: this.now } };
  }
}
