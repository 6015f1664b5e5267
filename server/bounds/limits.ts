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
  isEnumType,
  isInterfaceType,
  isObjectType,
} from 'graphql';
import { getArgumentValues } from 'graphql/execution/values';
import { ERROR_CODES } from '../../graph/errors';
import { costOfEnumValue, costOfField } from './costDirective';

export interface OperationSize {
  /** The deepest field nesting, measured up to one level past the limit it was measured against. */
  depth: number;
  cost: number;
  /** Distinct response keys at the root (`__typename` aside): each root field is resolved on its own. */
  rootFields: number;
}

export interface OperationLimits {
  maxDepth: number;
  maxCost: number;
  maxRootFields: number;
}

const PAGE_ARGUMENTS = ['first', 'limit'];

/**
 * The depth of the deepest field, and a cost that counts every field once per item it may be resolved
 * for: the children of a field taking `first` or `limit` (or declaring a `listSize`) cost that many
 * times over, and a field costs its `@cost` weight (schema/cost.graphql) instead of 1.
 *
 * The work is linear in the document: a fragment is measured once per remaining depth budget and its
 * result reused at every spread (a fragment spreading the next one twice, 24 times over, is measured
 * 25 times, not 2^24), and the walk never descends more than `maxDepth + 1` fields, so neither a
 * deep document nor a fragment bomb can stall the event loop or overflow the stack.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  maxDepth: number,
): OperationSize {
  const fragments = fragmentsOf(document);
  const root = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  // (fragment name, remaining budget) → size; `undefined` while being measured, which marks a cycle.
  const measured = new Map<string, { depth: number; cost: number } | undefined>();

  const walk = (selectionSet: SelectionSetNode, parentTypeName: string | undefined, budget: number): { depth: number; cost: number } => {
    let depth = 0;
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const parentType = parentTypeName ? schema.getType(parentTypeName) : undefined;
        const field: GraphQLField<unknown, unknown> | undefined =
          parentType && (isObjectType(parentType) || isInterfaceType(parentType)) ? parentType.getFields()[selection.name.value] : undefined;
        const declared = field ? costOfField(field) : { weight: 1, listSize: undefined };
        let weight = declared.weight;
        let multiplier = declared.listSize ?? 1;
        if (field) {
          const args = safeArguments(field, selection, variables);
          for (const name of PAGE_ARGUMENTS) if (typeof args[name] === 'number') multiplier = Math.max(1, args[name] as number);
          for (const argument of field.args) {
            const type = getNamedType(argument.type);
            if (isEnumType(type)) weight += costOfEnumValue(type, args[argument.name]);
          }
        }
        let child = { depth: 0, cost: 0 };
        if (selection.selectionSet) {
          // One level past the limit is enough to know the operation is too deep: stop descending there.
          child = budget <= 1 ? { depth: 1, cost: 0 } : walk(selection.selectionSet, field ? getNamedType(field.type).name : undefined, budget - 1);
        }
        depth = Math.max(depth, child.depth + 1);
        cost += weight + multiplier * child.cost;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const child = walk(selection.selectionSet, selection.typeCondition?.name.value ?? parentTypeName, budget);
        depth = Math.max(depth, child.depth);
        cost += child.cost;
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        const key = `${budget}:${name}`;
        if (!fragment || (measured.has(key) && measured.get(key) === undefined)) continue; // unknown or cyclic: a validation error
        if (!measured.has(key)) {
          measured.set(key, undefined);
          measured.set(key, walk(fragment.selectionSet, fragment.typeCondition.name.value, budget));
        }
        const child = measured.get(key)!;
        depth = Math.max(depth, child.depth);
        cost += child.cost;
      }
    }
    return { depth, cost };
  };

  const size = walk(operation.selectionSet, root?.name, maxDepth + 1);
  return { ...size, rootFields: countRootFields(operation, fragments) };
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** Response keys at the root, through fragments and inline fragments, each fragment read once. */
function countRootFields(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): number {
  const keys = new Set<string>();
  const visited = new Set<string>();
  const pending: SelectionSetNode[] = [operation.selectionSet];
  while (pending.length > 0) {
    for (const selection of pending.pop()!.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value !== '__typename') keys.add(selection.alias?.value ?? selection.name.value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        pending.push(selection.selectionSet);
      } else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) pending.push(fragment.selectionSet);
      }
    }
  }
  return keys.size;
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

export function checkOperationSize(size: OperationSize, limits: OperationLimits): void {
  if (size.depth > limits.maxDepth) {
    throw queryTooDeep(limits.maxDepth);
  }
  if (size.rootFields > limits.maxRootFields) {
    throw new GraphQLError(`The operation asks for ${size.rootFields} root fields; the limit is ${limits.maxRootFields}. Split it into several requests.`, {
      extensions: { code: ERROR_CODES.TOO_MANY_ROOT_FIELDS, rootFields: size.rootFields, limit: limits.maxRootFields, http: { status: 400 } },
    });
  }
  if (size.cost > limits.maxCost) {
    throw new GraphQLError(`Query cost ${size.cost} exceeds the limit of ${limits.maxCost}; ask for smaller pages or fewer analytics.`, {
      extensions: { code: ERROR_CODES.QUERY_TOO_COSTLY, cost: size.cost, limit: limits.maxCost, http: { status: 400 } },
    });
  }
}

export const queryTooDeep = (limit: number) =>
  new GraphQLError(`Query depth exceeds the limit of ${limit}: fields are nested more than ${limit} deep.`, {
    extensions: { code: ERROR_CODES.QUERY_TOO_DEEP, limit, http: { status: 400 } },
  });
