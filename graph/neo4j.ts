import neo4j, { Driver, ManagedTransaction } from 'neo4j-driver';

/** A named Cypher statement: the name labels its metrics and logs; the text never holds input values. */
export interface Cypher {
  readonly name: string;
  readonly text: string;
}

export const cypher = (name: string, text: string): Cypher => ({ name, text });

export type Params = Record<string, unknown>;
export type Row = Record<string, unknown>;

export type QueryObserver = (queryName: string, seconds: number, failed: boolean) => void;

export interface Neo4jConnection {
  uri: string;
  user: string;
  password: string;
  database?: string;
}

/** The statements of one transaction; every write of one request goes through one of these. */
export interface Tx {
  run(query: Cypher, params?: Params): Promise<Row[]>;
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
    readonly driver: Driver,
    private readonly database: string | undefined,
    private readonly observe: QueryObserver = () => {},
    /** Neo4j terminates any transaction running longer, so one runaway query cannot hold the database. */
    private readonly transactionTimeoutMs?: number,
  ) {}

  async read(query: Cypher, params: Params = {}): Promise<Row[]> {
    return this.inTransaction('READ', (tx) => tx.run(query, params));
  }

  async write(query: Cypher, params: Params = {}): Promise<Row[]> {
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
  async runAutoCommit(query: Cypher, params: Params = {}): Promise<Row[]> {
    const session = this.driver.session({ database: this.database });
    try {
      const result = await this.timed(query, () => session.run(query.text, toNeo4jValue(params) as Params));
      return result.records.map((record) => record.toObject());
    } finally {
      await session.close();
    }
  }

  async ping(): Promise<void> {
    await this.driver.verifyConnectivity({ database: this.database });
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  private async inTransaction<T>(mode: 'READ' | 'WRITE', work: (tx: Tx) => Promise<T>): Promise<T> {
    const session = this.driver.session({ database: this.database, defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE });
    try {
      const execute = (managed: ManagedTransaction) =>
        work({
          run: async (query, params = {}) => {
            const result = await this.timed(query, () => managed.run(query.text, toNeo4jValue(params) as Params));
            return result.records.map((record) => record.toObject());
          },
        });
      const config = this.transactionTimeoutMs === undefined ? undefined : { timeout: this.transactionTimeoutMs };
      return mode === 'READ' ? await session.executeRead(execute, config) : await session.executeWrite(execute, config);
    } finally {
      await session.close();
    }
  }

  private async timed<R>(query: Cypher, run: () => Promise<R>): Promise<R> {
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
