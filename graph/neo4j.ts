import neo4j, { Driver, ManagedTransaction, Neo4jError } from 'neo4j-driver';
import { conflict, DomainError } from './errors';

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
}

const CONNECTION_FAILURES = new Set(['ServiceUnavailable', 'SessionExpired']);
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
  if (CONNECTION_FAILURES.has(error.code) || error.retriable) {
    return new DomainError('SERVICE_UNAVAILABLE', undefined, 'The graph database is unavailable right now; retry shortly.');
  }
  return error;
}


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

export class Graph {
  constructor(
    private readonly driver: Driver,
    private readonly database: string | undefined,
    private readonly observe: QueryObserver = () => {},
    /** Neo4j terminates any transaction running longer, so one runaway query cannot hold the database. */
    private readonly transactionTimeoutMs?: number,
  ) {}

  async read<R extends object = Row>(query: Cypher<R>, params: Params = {}): Promise<R[]> {
    return this.inTransaction('READ', (tx) => tx.run(query, params));
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
    const session = this.driver.session({ database: this.database });
    try {
      const result = await this.timed(query, () => session.run(query.text, toNeo4jValue(params) as Params));
      return result.records.map((record) => record.toObject() as R);
    } catch (error) {
      throw toDomainError(error);
    } finally {
      await session.close();
    }
  }

  async ping(): Promise<void> {
    try {
      await this.driver.verifyConnectivity({ database: this.database });
    } catch (error) {
      throw toDomainError(error);
    }
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  private async inTransaction<T>(mode: 'READ' | 'WRITE', work: (tx: Tx) => Promise<T>): Promise<T> {
    const session = this.driver.session({ database: this.database, defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE });
    try {
      const execute = (managed: ManagedTransaction) =>
        work({
          run: async <R extends object = Row>(query: Cypher<R>, params: Params = {}) => {
            try {
              const result = await this.timed(query, () => managed.run(query.text, toNeo4jValue(params) as Params));
              return result.records.map((record) => record.toObject() as R);
            } catch (error) {
              // A constraint a concurrent writer won is final: mapped here, so that the writer that ran the
              // statement can name its field. Everything else stays a driver error until the transaction
              // ends, so that executeWrite still sees (and retries) transient ones such as deadlocks.
              throw isConstraintViolation(error) ? toDomainError(error) : error;
            }
          },
        });
      const config = this.transactionTimeoutMs === undefined ? undefined : { timeout: this.transactionTimeoutMs };
      return mode === 'READ' ? await session.executeRead(execute, config) : await session.executeWrite(execute, config);
    } catch (error) {
      throw toDomainError(error);
    } finally {
      await session.close();
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

export function connectGraph(connection: Neo4jConnection, observe?: QueryObserver, transactionTimeoutMs?: number): Graph {
  const auth = connection.password === '' ? neo4j.auth.basic(connection.user, 'unused') : neo4j.auth.basic(connection.user, connection.password);
  const driver = neo4j.driver(connection.uri, auth, {
    // Counts and ids here stay far below 2^53, so plain numbers are safe and simpler for callers.
    disableLosslessIntegers: true,
    maxConnectionPoolSize: 50,
    connectionAcquisitionTimeout: 30_000,
  });
  return new Graph(driver, connection.database, observe, transactionTimeoutMs);
}
