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
  const collect = (selectionSet: SelectionSetNode, seen: Set<string>) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) fields.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet, seen);
      else {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !seen.has(fragment.name.value)) collect(fragment.selectionSet, new Set([...seen, fragment.name.value]));
      }
    }
  };
  collect(operation.selectionSet, new Set());
  const sorted = [...fields].sort();
  if (sorted.length === 0) return INVALID_OPERATION;
  return `${operation.operation}:${sorted[0]}${sorted.length > 1 ? '+more' : ''}`;
}
