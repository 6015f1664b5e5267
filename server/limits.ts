import {
  DocumentNode,
  FragmentDefinitionNode,
  GraphQLError,
  GraphQLField,
  GraphQLSchema,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  getNamedType,
  isObjectType,
  isInterfaceType,
} from 'graphql';
import { getArgumentValues } from 'graphql/execution/values';
import { ERROR_CODES } from '../graph/errors';

export interface OperationSize {
  depth: number;
  cost: number;
}

const PAGE_ARGUMENTS = ['first', 'limit'];

/**
 * The depth of the deepest field, and a cost that counts every field once per item it may be
 * resolved for: the children of a field taking `first` or `limit` cost that many times over.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): OperationSize {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const root = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();

  const walk = (selectionSet: SelectionSetNode, parentTypeName: string | undefined, seen: Set<string>): OperationSize => {
    let depth = 0;
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const parentType = parentTypeName ? schema.getType(parentTypeName) : undefined;
        const field: GraphQLField<unknown, unknown> | undefined =
          parentType && (isObjectType(parentType) || isInterfaceType(parentType)) ? parentType.getFields()[selection.name.value] : undefined;
        let multiplier = 1;
        if (field) {
          const args = safeArguments(field, selection, variables);
          for (const name of PAGE_ARGUMENTS) if (typeof args[name] === 'number') multiplier = Math.max(1, args[name] as number);
        }
        const child = selection.selectionSet
          ? walk(selection.selectionSet, field ? getNamedType(field.type).name : undefined, seen)
          : { depth: 0, cost: 0 };
        depth = Math.max(depth, child.depth + 1);
        cost += 1 + multiplier * child.cost;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const child = walk(selection.selectionSet, selection.typeCondition?.name.value ?? parentTypeName, seen);
        depth = Math.max(depth, child.depth);
        cost += child.cost;
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue; // a fragment cycle is a validation error reported elsewhere
        const child = walk(fragment.selectionSet, fragment.typeCondition.name.value, new Set([...seen, name]));
        depth = Math.max(depth, child.depth);
        cost += child.cost;
      }
    }
    return { depth, cost };
  };

  return walk(operation.selectionSet, root?.name, new Set());
}

function safeArguments(
  field: GraphQLField<unknown, unknown>,
  node: Parameters<typeof getArgumentValues>[1],
  variables: Record<string, unknown>,
): Record<string, unknown> {
  try {
    return getArgumentValues(field, node, variables);
  } catch {
    return {}; // bad arguments are reported by execution with a precise message
  }
}

export function checkOperationSize(size: OperationSize, limits: { maxDepth: number; maxCost: number }): void {
  if (size.depth > limits.maxDepth) {
    throw new GraphQLError(`Query depth ${size.depth} exceeds the limit of ${limits.maxDepth}.`, {
      extensions: { code: ERROR_CODES.QUERY_TOO_DEEP, depth: size.depth, limit: limits.maxDepth, http: { status: 400 } },
    });
  }
  if (size.cost > limits.maxCost) {
    throw new GraphQLError(`Query cost ${size.cost} exceeds the limit of ${limits.maxCost}; ask for smaller pages.`, {
      extensions: { code: ERROR_CODES.QUERY_TOO_COSTLY, cost: size.cost, limit: limits.maxCost, http: { status: 400 } },
    });
  }
}
