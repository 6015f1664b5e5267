import { DocumentNode, FragmentDefinitionNode, Kind, OperationDefinitionNode, SelectionSetNode } from 'graphql';

/** The label of a request that never became a valid operation (unparsable, invalid, unknown operation name). */
export const INVALID_OPERATION = 'invalid';

/**
 * A metrics label for an operation that names only what the schema knows, never what the client
 * typed: the operation type and the first of its root fields in alphabetical order, with `+more`
 * when it selects several. Operation names and aliases are the client's to invent; root field names
 * are bounded by the schema, so the label set stays at most twice the root fields, whatever is sent.
 *   query Dashboard { a: customer(id: "1") { id } degreesOfSeparation(...) { degrees } }  →  query:customer+more
 */
export function operationLabel(document: DocumentNode, operation: OperationDefinitionNode): string {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const fields = new Set<string>();
  // Each fragment is read once, however often it is spread: only the names of root fields matter here,
  // so a fragment bomb (fragments spreading the next twice) costs linear time, not exponential.
  const visited = new Set<string>();
  const pending: SelectionSetNode[] = [operation.selectionSet];
  for (let selectionSet = pending.pop(); selectionSet; selectionSet = pending.pop()) {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) fields.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) pending.push(selection.selectionSet);
      else {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !visited.has(fragment.name.value)) {
          visited.add(fragment.name.value);
          pending.push(fragment.selectionSet);
        }
      }
    }
  }
  const sorted = [...fields].sort();
  if (sorted.length === 0) return INVALID_OPERATION;
  return `${operation.operation}:${sorted[0]}${sorted.length > 1 ? '+more' : ''}`;
}
