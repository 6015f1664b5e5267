/**
 * Turns the list a GraphQL answer holds into CSV (RFC 4180). Pure functions: no I/O, unit-tested in test/unit/csv.test.ts.
 *
 * - The list is the first array met walking the answer in field order. A Relay connection's edges become their nodes,
 *   with the edge's own fields (a tie's `strength`) in front and its `cursor` left out; an edge field whose name a node
 *   field also has is kept as `edge.<name>`.
 * - Each row is flattened: nested objects become dotted columns (`customer.id`), lists of scalars are joined with
 *   `; `, lists of objects become one column per leaf path holding the `; `-joined values.
 * - Columns are the union of every row's paths, in first-seen order, so a field null in some rows still has a column.
 * - Cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first) get a leading `'`.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Row = Map<string, string>;

export interface FoundList {
  /** The dotted path of the list inside `data`, e.g. `customers.edges`. */
  path: string;
  rows: Json[];
  /** The object that holds the list, for its `pageInfo`. */
  container: { [key: string]: Json } | null;
}

const isObject = (value: Json | undefined): value is { [key: string]: Json } => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The first list in the answer, or undefined when it holds none. */
export function findList(data: Json, path: string[] = [], container: { [key: string]: Json } | null = null): FoundList | undefined {
  if (Array.isArray(data)) {
    const isConnection = path[path.length - 1] === 'edges' && data.every((edge) => isObject(edge) && 'node' in edge);
    return { path: path.join('.'), rows: isConnection ? data.map((edge) => edgeRow(edge as { [key: string]: Json })) : data, container };
  }
  if (!isObject(data)) return undefined;
  for (const [key, value] of Object.entries(data)) {
    if (key === 'pageInfo') continue;
    const found = findList(value, [...path, key], data);
    if (found) return found;
  }
  return undefined;
}

function edgeRow(edge: { [key: string]: Json }): Json {
  const node = isObject(edge.node) ? edge.node : { node: edge.node };
  const row: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(edge)) {
    if (key !== 'node' && key !== 'cursor') row[key in node ? `edge.${key}` : key] = value;
  }
  return { ...row, ...node };
}

function flatten(value: Json, prefix: string, into: Row): void {
  if (Array.isArray(value)) {
    if (value.every((item) => !isObject(item) && !Array.isArray(item))) {
      into.set(prefix, value.map(scalarText).join('; '));
      return;
    }
    // A list of objects: one column per leaf, values of all items joined in order.
    const perItem = value.map((item) => {
      const row: Row = new Map();
      flatten(item, prefix, row);
      return row;
    });
    for (const column of new Set(perItem.flatMap((row) => [...row.keys()]))) {
      into.set(column, perItem.map((row) => row.get(column) ?? '').join('; '));
    }
    return;
  }
  if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, into);
    return;
  }
  into.set(prefix || 'value', scalarText(value));
}

const scalarText = (value: Json): string => (value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value));

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(text: string): string {
  const safe = FORMULA_START.test(text) && !/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The rows as CSV text with a header line; lines end with CRLF as RFC 4180 says. */
export function toCsv(rows: Json[]): string {
  const flattened = rows.map((row) => {
    const cells: Row = new Map();
    flatten(row, '', cells);
    return cells;
  });
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of flattened) {
    for (const column of row.keys()) {
      if (!seen.has(column)) {
        seen.add(column);
        columns.push(column);
      }
    }
  }
  const lines = [columns.map(csvCell).join(','), ...flattened.map((row) => columns.map((column) => csvCell(row.get(column) ?? '')).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
