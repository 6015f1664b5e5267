import { DocumentNode, GraphQLError, Kind, SelectionSetNode } from 'graphql';
import { ERROR_CODES } from '../../graph/errors';
import { queryTooDeep } from './limits';

export interface DocumentBounds {
  maxSelections: number;
  maxDepth: number;
}

/**
 * Bounds the document itself, before graphql-js validates it (server/http/documentBounds.ts): some validation rules are quadratic in
 * the selections of one selection set (OverlappingFieldsCanBeMerged compares every pair of fields with
 * the same response name) and recursive in its nesting. The parser already stopped at MAX_QUERY_TOKENS;
 * here every selection (field, fragment spread, inline fragment) of every definition is counted once,
 * and the field nesting written in any one definition must not pass MAX_QUERY_DEPTH. The walk is
 * iterative, so a deep document cannot overflow the stack.
 */
export function checkDocumentBounds(document: DocumentNode, bounds: DocumentBounds): void {
  let selections = 0;
  const pending: Array<{ selectionSet: SelectionSetNode; depth: number }> = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION) {
      pending.push({ selectionSet: definition.selectionSet, depth: 0 });
    }
  }
  while (pending.length > 0) {
    const { selectionSet, depth } = pending.pop()!;
    for (const selection of selectionSet.selections) {
      selections++;
      if (selections > bounds.maxSelections) {
        throw new GraphQLError(`The document has more than ${bounds.maxSelections} selections; split it into several requests.`, {
          extensions: { code: ERROR_CODES.QUERY_TOO_LARGE, limit: bounds.maxSelections, http: { status: 400 } },
        });
      }
      if (selection.kind === Kind.FIELD) {
        if (selection.selectionSet) {
          // This field sits at level depth + 1 and has fields of its own one level further down.
          if (depth + 2 > bounds.maxDepth) throw queryTooDeep(bounds.maxDepth);
          pending.push({ selectionSet: selection.selectionSet, depth: depth + 1 });
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        pending.push({ selectionSet: selection.selectionSet, depth });
      }
    }
  }
}
