/**
 * How a statement travels to Neo4j: its parameters as the fields of one map parameter, `$params`, and its text
 * rewritten to read them from it (`$ids` is sent as `$params.ids`).
 *
 * Why: Neo4j caches a plan per text *and per size bucket of every string and list parameter* (0, 1, up to 10, up to
 * 100, …: `internal.cypher.use_parameter_size`, on by default), so a statement whose lists and strings vary in length
 * is planned once for every combination of buckets that occurs. The write path's combined statements take 0.1 to 1 s
 * of Neo4j's CPU to plan, and group commit sends them with lists of 1 to 100 rows: in bench:writes the API sent its
 * 51 statements (one text each) in 112 combinations of buckets, so 112 plans for 51. Clients whose batch sizes and ids
 * vary more make more, up to the plan cache's 1,000 entries, past which plans are evicted and made again. A map
 * parameter has no size: one plan per text, made again only when the statistics it was planned on have moved.
 *
 * The planner no longer knows how long a list is (it assumes a few elements). Plans keep their index seeks (a property
 * of a parameter is as constant as a parameter), and side by side the bench's throughput was the same either way
 * (scripts/bench/results/writes.md); the gain is the plans not made, after every start and under varied input.
 */
export const WIRE_PARAMETER = 'params';

const rewritten = new Map<string, string>();
// Texts come from the code (and from combined statements of its parts), so they are few; the bound only keeps a
// mistake that builds texts from values from growing this without limit.
const MAX_REWRITTEN = 10_000;

// A parameter, or something a `$` inside must not be read as one in: a string literal, a quoted name, a comment.
const PARAMETER_OR_LITERAL = /('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`[^`]*`|\/\/[^\n]*|\/\*[\s\S]*?\*\/)|\$(\w+)/g;

/**
 * `text` with each parameter `$name` replaced by what `rename` makes of its name; a `$` in a string literal, a quoted
 * name or a comment is left. The one place a statement's parameters are found (combined statements rename theirs too).
 */
export function renameParameters(text: string, rename: (name: string) => string): string {
  return text.replace(PARAMETER_OR_LITERAL, (all, literal: string | undefined, name: string | undefined) => (literal !== undefined ? all : rename(name!)));
}

/** `text` with every `$name` read from the one map parameter. */
export function wireText(text: string): string {
  let sent = rewritten.get(text);
  if (sent === undefined) {
    sent = renameParameters(text, (name) => `$${WIRE_PARAMETER}.${name}`);
    if (rewritten.size >= MAX_REWRITTEN) rewritten.clear();
    rewritten.set(text, sent);
  }
  return sent;
}

/** The parameters as sent with `wireText`: one map. */
export const wireParameters = (params: Record<string, unknown>): Record<string, unknown> => ({ [WIRE_PARAMETER]: params });
