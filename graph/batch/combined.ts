import { Cypher, Params, Row, Tx } from '../neo4j';
import { renameParameters } from '../wireForm';

/**
 * Several statements sent as one: a batch pays a round trip, a parameter decode and a result per statement,
 * which for small steps costs more than the work itself. Each part runs in its own `CALL () { ... }`, in the
 * order given, and its rows are collected before the next part starts (the collect is a barrier), so the parts
 * see each other's writes exactly as consecutive statements of one transaction would. A part's parameters are
 * renamed `$<part>_<name>` so that parts may use the same names for different values.
 *
 * A part names the columns its statement returns (none for a statement that returns nothing); `runCombined`
 * gives back each part's rows, typed as the statement declares them.
 */
export interface Part<R extends object = Row> {
  statement: Cypher<R>;
  params: Params;
  /** The columns its statement returns (checked by `part`), none for a statement that returns nothing. */
  columns: readonly string[];
}

export const part = <R extends object>(statement: Cypher<R>, params: Params, columns: ReadonlyArray<keyof R & string>): Part<R> => ({ statement, params, columns });

type RowsOf<P> = { [K in keyof P]: NonNullable<P[K]> extends Part<infer R> ? R[] : never };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyPart = Part<any>;

const statementCache = new Map<string, Cypher<Record<string, unknown[]>>>();

function combinedStatement(name: string, parts: ReadonlyArray<[string, AnyPart]>): Cypher<Record<string, unknown[]>> {
  const cacheKey = `${name}\u0000${parts.map(([key, { statement, columns }]) => `${key}:${statement.name}:${columns.join(',')}`).join('|')}`;
  const cached = statementCache.get(cacheKey);
  if (cached) return cached;
  const clauses = parts.map(([key, { statement, columns }]) => {
    const text = renameParameters(statement.text, (param) => `$${key}_${param}`);
    if (columns.length === 0) return `CALL () {\n${text}\n}`;
    // Collected inside its own subquery: always one row, even when the statement returns none.
    const map = columns.map((column) => `${column}: ${column}`).join(', ');
    return `CALL () {\nCALL () {\n${text}\n}\nRETURN collect({${map}}) AS ${key}\n}`;
  });
  const returned = parts.filter(([, { columns }]) => columns.length > 0).map(([key]) => key);
  const text = `${clauses.join('\n')}\nRETURN ${returned.length > 0 ? returned.join(', ') : 'true AS done'}`;
  const statement: Cypher<Record<string, unknown[]>> = { name, text };
  statementCache.set(cacheKey, statement);
  return statement;
}

/**
 * Runs the parts as one statement named `name`: a part left undefined has nothing to do and is left out, a single
 * part runs as its own statement, and no part at all sends nothing. Each part's rows come back under its key
 * (none for a part left out).
 */
export async function runCombined<P extends Record<string, AnyPart | undefined>>(tx: Tx, name: string, parts: P): Promise<RowsOf<P>> {
  const live = Object.entries(parts).flatMap(([key, value]): Array<[string, AnyPart]> => (value ? [[key, value]] : []));
  const result = Object.fromEntries(Object.keys(parts).map((key) => [key, []])) as unknown as RowsOf<P>;
  if (live.length === 0) return result;
  if (live.length === 1) {
    const [[key, only]] = live;
    (result as Record<string, unknown[]>)[key] = await tx.run(only.statement, only.params);
    return result;
  }
  const params: Params = {};
  for (const [key, { params: own }] of live) for (const [param, value] of Object.entries(own)) params[`${key}_${param}`] = value;
  const [row] = await tx.run(combinedStatement(name, live), params);
  for (const [key, { columns }] of live) if (columns.length > 0) (result as Record<string, unknown[]>)[key] = row[key];
  return result;
}

/**
 * What one bulk step sends (parts of a combined statement; a part left undefined has nothing to do) and what it
 * makes of their rows. A step's parts always name the same statements, whatever its rows, so that its text, and
 * so its plan, stays the same: a new text costs Neo4j a planning of every part (about 0.1 s a part, several
 * seconds for a statement of many parts), and a plan of many parts is replanned whenever any part's statistics
 * change. That is why steps of different kinds, or of consecutive levels, are not merged into one statement.
 */
export interface Step<T = unknown> {
  parts: Record<string, AnyPart | undefined>;
  finish(rows: Record<string, unknown[]>): T;
}

export const step = <P extends Record<string, AnyPart | undefined>, T>(parts: P, then: (rows: RowsOf<P>) => T): Step<T> => ({
  parts,
  finish: (rows) => then(rows as RowsOf<P>),
});

/** Runs `steps` in order as one statement named `name` (none when no part has work); returns what each made of its rows. */
export async function runSteps<T extends readonly unknown[]>(tx: Tx, name: string, steps: readonly [...{ [K in keyof T]: Step<T[K]> }]): Promise<T> {
  const parts: Record<string, AnyPart | undefined> = {};
  steps.forEach((one: Step, position) => {
    for (const [key, value] of Object.entries(one.parts)) parts[`s${position}_${key}`] = value;
  });
  const rows: Record<string, unknown[]> = await runCombined(tx, name, parts);
  return steps.map((one: Step, position) => one.finish(Object.fromEntries(Object.keys(one.parts).map((key) => [key, rows[`s${position}_${key}`]])))) as unknown as T;
}
