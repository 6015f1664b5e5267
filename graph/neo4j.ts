import { setTimeout as sleep } from 'node:timers/promises';
import neo4j, { Driver, Neo4jError, Transaction } from 'neo4j-driver';
import { CircuitBreaker } from './circuitBreaker';
import { conflict, DomainError } from './errors';
import { wireParameters, wireText } from './wireForm';

export type Params = Record<string, unknown>;
export type Row = Record<string, unknown>;

/**
 * A named Cypher statement: the name labels its metrics and logs; the text never holds input values.
 * `R` is the shape of one row it returns, declared where the statement is, so callers read typed rows.
 */
export interface Cypher<R extends object = Row> {
  readonly name: string;
  readonly text: string;
  /** Phantom: carries the row type; never set. */
  readonly row?: R;
}

export const cypher = <R extends object = Row>(name: string, text: string): Cypher<R> => ({ name, text });

export type QueryObserver = (queryName: string, seconds: number, failed: boolean) => void;

export interface Neo4jConnection {
  uri: string;
  user: string;
  password: string;
  database?: string;
}

/** The statements of one transaction; every write of one request goes through one of these. */
export interface Tx {
  run<R extends object = Row>(query: Cypher<R>, params?: Params): Promise<R[]>;
  /** Calls `callback` once this transaction has committed (never when it rolls back). */
  afterCommit?(callback: () => void): void;
}

/** How the gateway behaves while Neo4j cannot be reached. */
export interface GraphAvailability {
  /** Opening a connection gives up after this long; waiting for one from the pool, after twice as long. */
  connectTimeoutMs: number;
  /** While Neo4j is known to be down, requests fail at once and a probe runs this often. */
  probeIntervalMs: number;
}

export const DEFAULT_AVAILABILITY: GraphAvailability = { connectTimeoutMs: 3000, probeIntervalMs: 1000 };

// Transient errors (a deadlock, a lock wait) are retried with backoff for this long, as the driver's
// managed transactions did; connection failures are not: they open the circuit breaker instead.
const TRANSIENT_RETRY = { maxTimeMs: 30_000, initialDelayMs: 1000, multiplier: 2, jitter: 0.2 };

const CONNECTION_FAILURES = new Set(['ServiceUnavailable', 'SessionExpired', 'Neo.TransientError.General.DatabaseUnavailable']);

/**
 * Neo4j cannot be reached: refused or timed-out connections (ServiceUnavailable), a connection lost
 * mid-transaction (SessionExpired), a database still starting. These open the circuit breaker.
 */
export function isConnectionFailure(error: unknown): boolean {
  return error instanceof Neo4jError && CONNECTION_FAILURES.has(error.code);
}

/**
 * Every pooled connection stayed busy for the whole acquisition timeout (the driver gives this no code,
 * only its message). Retriable, but Neo4j may be fine, so it does not open the breaker.
 */
export function isPoolExhausted(error: unknown): boolean {
  return error instanceof Neo4jError && error.message.startsWith('Connection acquisition timed out');
}

const unavailable = () => new DomainError('SERVICE_UNAVAILABLE', undefined, 'The graph database is unavailable right now; retry shortly.');

const CONSTRAINT_VIOLATION = 'Neo.ClientError.Schema.ConstraintValidationFailed';

const isConstraintViolation = (error: unknown) => error instanceof Neo4jError && error.code === CONSTRAINT_VIOLATION;

/**
 * Driver errors become the service's own here, beside the driver call, so nothing above knows driver
 * internals: a uniqueness constraint that a concurrent writer won is a CONFLICT, a terminated
 * transaction a QUERY_TIMEOUT, an unreachable database SERVICE_UNAVAILABLE (retriable).
 */
export function toDomainError(error: unknown): unknown {
  if (error instanceof DomainError || !(error instanceof Neo4jError)) return error;
  if (error.code === CONSTRAINT_VIOLATION) {
    return conflict(undefined, 'A concurrent write took this value first; retry.');
  }
  // Neo4j 5 says TransactionTimedOutClientConfiguration when the timeout came from the driver.
  if (error.code.startsWith('Neo.ClientError.Transaction.TransactionTimedOut')) {
    return new DomainError('QUERY_TIMEOUT', undefined, 'The query ran longer than NEO4J_TX_TIMEOUT_SECONDS allows; narrow it (a campaign, a smaller depth) and retry.');
  }
  if (isConnectionFailure(error) || isPoolExhausted(error) || error.retryable) return unavailable();
  return error;
}

const PING = cypher('service.ping', 'RETURN 1');

/**
 * JavaScript has one number type; Neo4j has INTEGER and FLOAT. Whole numbers go as INTEGER so that
 * SKIP/LIMIT accept them and epoch-millisecond instants and counts are stored as integers.
 */
export function toNeo4jValue(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? neo4j.int(value) : value;
  if (Array.isArray(value)) return value.map(toNeo4jValue);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toNeo4jValue(inner)]));
  }
  return value;
}

/** A statement's text and parameters as they are sent (graph/wireForm.ts): read from one map parameter, that map. */
export function sentForm(text: string, params: Params): [string, Params] {
  return [wireText(text), wireParameters(toNeo4jValue(params) as Params)];
}

/**
 * Calls `start` (a driver call that sends a statement) without the caller's stack trace that the driver captures
 * for every result it creates (`new Error().stack`, to append it to a failure that arrives later). Formatting that
 * stack, through the source maps tsx enables, cost 70–115 µs per statement on the 2-core machine: more than the
 * rest of the driver's work for a small answer. Failures still carry their code and message, which is all the
 * gateway reads (toDomainError); their stack then shows the driver's own frames rather than the caller's.
 */
function withoutCallerStack<T>(start: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return start();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

// Not a statement, but a round trip every write transaction pays: observed under this name with the queries.
const COMMIT: Cypher<object> = { name: 'transaction.commit', text: 'COMMIT' };

export class Graph {
  private readonly breaker: CircuitBreaker;

  constructor(
    private readonly driver: Driver,
    private readonly database: string | undefined,
    private readonly observe: QueryObserver = () => {},
    /** Neo4j terminates any transaction running longer, so one runaway query cannot hold the database. */
    private readonly transactionTimeoutMs?: number,
    availability: GraphAvailability = DEFAULT_AVAILABILITY,
  ) {
    this.breaker = new CircuitBreaker(() => this.answersQuery(), availability.probeIntervalMs);
  }

  /** Since when Neo4j has been unreachable (epoch ms), or undefined while it answers. */
  get unavailableSince(): number | undefined {
    return this.breaker.downSince;
  }

  /**
   * One read statement, sent as an auto-commit query: RUN and PULL in one round trip, where a transaction costs
   * BEGIN, RUN + PULL and COMMIT (three). A single read statement gains nothing from a transaction: it sees one
   * consistent state either way, and it sees every write committed before it began (sessions carry no bookmarks
   * here, in either form; on a cluster, read-your-writes would need them for both). It keeps the transaction
   * timeout, the circuit breaker, the retries and the error mapping of `readTransaction`.
   */
  async read<R extends object = Row>(query: Cypher<R>, params: Params = {}): Promise<R[]> {
    return this.guarded(() => this.readOnce(query, params));
  }

  async write<R extends object = Row>(query: Cypher<R>, params: Params = {}): Promise<R[]> {
    return this.inTransaction('WRITE', (tx) => tx.run(query, params));
  }

  async readTransaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.inTransaction('READ', work);
  }

  /** All-or-nothing: an error thrown by `work` rolls back every statement it ran. */
  async writeTransaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.inTransaction('WRITE', work);
  }

  /** Schema statements cannot share a transaction with anything else. */
  async runAutoCommit<R extends object = Row>(query: Cypher<R>, params: Params = {}): Promise<R[]> {
    if (this.breaker.isOpen) throw unavailable();
    const session = this.driver.session({ database: this.database });
    try {
      const result = await this.timed(query, () => session.run(...sentForm(query.text, params)));
      return result.records.map((record) => record.toObject() as R);
    } catch (error) {
      if (isConnectionFailure(error)) this.breaker.trip();
      throw toDomainError(error);
    } finally {
      await session.close().catch(() => {});
    }
  }

  /**
   * Readiness: Neo4j answers a query now. While the breaker is open this answers at once from it
   * (its probe is already asking), so frequent readiness checks never pile up sessions on a Neo4j
   * that hangs.
   */
  async ping(): Promise<void> {
    if (this.breaker.isOpen) throw unavailable();
    try {
      await this.answersQuery();
    } catch (error) {
      if (isConnectionFailure(error)) this.breaker.trip();
      throw toDomainError(error);
    }
  }

  /**
   * A real query, not only a Bolt handshake: a restarting Neo4j accepts connections well before its
   * database answers, and transactions sent in between wait for it.
   */
  private async answersQuery(): Promise<void> {
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.READ });
    try {
      await session.run(PING.text);
    } finally {
      await session.close().catch(() => {});
    }
  }

  async close(): Promise<void> {
    this.breaker.reset();
    await this.driver.close();
  }

  /**
   * Runs `work` in one transaction. While Neo4j is known to be down it fails at once with
   * SERVICE_UNAVAILABLE. A connection failure is retried once at once (a pooled connection may have
   * died with a Neo4j that has since come back), then opens the breaker; transient errors (deadlocks)
   * are retried with backoff. A retried write is safe: writes are MERGEs or carry idempotency keys,
   * which also makes a client's replay after SERVICE_UNAVAILABLE safe when the commit did happen.
   */
  private async inTransaction<T>(mode: 'READ' | 'WRITE', work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.guarded(() => this.attempt(mode, work));
  }

  /** The breaker, the retries and the error mapping around one attempt (see inTransaction). */
  private async guarded<T>(attempt: () => Promise<T>): Promise<T> {
    if (this.breaker.isOpen) throw unavailable();
    const startedAt = Date.now();
    let delayMs = TRANSIENT_RETRY.initialDelayMs;
    let retriedConnection = false;
    for (;;) {
      try {
        const result = await attempt();
        this.breaker.reset();
        return result;
      } catch (error) {
        if (isConnectionFailure(error)) {
          if (!retriedConnection && !this.breaker.isOpen) {
            retriedConnection = true;
            continue;
          }
          this.breaker.trip();
          throw unavailable();
        }
        const transient = error instanceof Neo4jError && error.retryable;
        if (!transient || Date.now() - startedAt + delayMs > TRANSIENT_RETRY.maxTimeMs) throw toDomainError(error);
        await sleep(delayMs * (1 + TRANSIENT_RETRY.jitter * (2 * Math.random() - 1)));
        delayMs *= TRANSIENT_RETRY.multiplier;
      }
    }
  }

  /** One try of a single read statement in auto-commit. */
  private async readOnce<R extends object>(query: Cypher<R>, params: Params): Promise<R[]> {
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.READ });
    try {
      const result = await this.timed(query, () => withoutCallerStack(() => session.run(...sentForm(query.text, params), this.transactionConfig)));
      return result.records.map((record) => record.toObject() as R);
    } finally {
      await session.close().catch(() => {});
    }
  }

  private get transactionConfig(): { timeout: number } | undefined {
    return this.transactionTimeoutMs === undefined ? undefined : { timeout: this.transactionTimeoutMs };
  }

  /** One try: all statements commit together, or an error rolls every one back. */
  private async attempt<T>(mode: 'READ' | 'WRITE', work: (tx: Tx) => Promise<T>): Promise<T> {
    const session = this.driver.session({ database: this.database, defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE });
    let transaction: Transaction | undefined;
    try {
      transaction = await session.beginTransaction(this.transactionConfig);
      const open = transaction;
      const committed = new Set<() => void>();
      const result = await work({
        afterCommit: (callback) => committed.add(callback),
        run: async <R extends object = Row>(query: Cypher<R>, params: Params = {}) => {
          try {
            const rows = await this.timed(query, () => withoutCallerStack(() => open.run(...sentForm(query.text, params))));
            return rows.records.map((record) => record.toObject() as R);
          } catch (error) {
            // A constraint a concurrent writer won is final: mapped here, so that the writer that ran the
            // statement can name its field. Everything else stays a driver error until the transaction
            // ends, so that inTransaction still sees (and retries) transient ones such as deadlocks.
            throw isConstraintViolation(error) ? toDomainError(error) : error;
          }
        },
      });
      await this.timed(COMMIT, () => withoutCallerStack(() => open.commit()));
      for (const callback of committed) callback();
      return result;
    } catch (error) {
      if (transaction?.isOpen()) await transaction.rollback().catch(() => {});
      throw error;
    } finally {
      await session.close().catch(() => {});
    }
  }

  private async timed<T>(query: Cypher<object>, run: () => Promise<T>): Promise<T> {
    const started = process.hrtime.bigint();
    let failed = false;
    try {
      return await run();
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      this.observe(query.name, Number(process.hrtime.bigint() - started) / 1e9, failed);
    }
  }
}

export function connectGraph(
  connection: Neo4jConnection,
  observe?: QueryObserver,
  transactionTimeoutMs?: number,
  availability: GraphAvailability = DEFAULT_AVAILABILITY,
): Graph {
  const auth = connection.password === '' ? neo4j.auth.basic(connection.user, 'unused') : neo4j.auth.basic(connection.user, connection.password);
  const driver = neo4j.driver(connection.uri, auth, {
    // Counts and ids here stay far below 2^53, so plain numbers are safe and simpler for callers.
    disableLosslessIntegers: true,
    maxConnectionPoolSize: 50,
    // A dead or unreachable Neo4j must fail a request in seconds, not the driver's default 30–60 s.
    connectionTimeout: availability.connectTimeoutMs,
    // Acquiring may include opening a connection, so it gets that time and as much again for a busy pool.
    connectionAcquisitionTimeout: 2 * availability.connectTimeoutMs,
  });
  return new Graph(driver, connection.database, observe, transactionTimeoutMs, availability);
}
