import { ConstDirectiveNode, GraphQLEnumType, GraphQLField, Kind } from 'graphql';

/** A field's declared cost: `@cost(weight, listSize)` in the SDL (schema/cost.graphql), or 1 and no list size. */
export interface DeclaredCost {
  weight: number;
  listSize: number | undefined;
}

const DEFAULT_COST: DeclaredCost = { weight: 1, listSize: undefined };
const fieldCosts = new WeakMap<object, DeclaredCost>();

function readCost(directives: readonly ConstDirectiveNode[] | undefined): DeclaredCost | undefined {
  const cost = directives?.find((directive) => directive.name.value === 'cost');
  if (!cost) return undefined;
  const intArgument = (name: string) => {
    const value = cost.arguments?.find((argument) => argument.name.value === name)?.value;
    return value?.kind === Kind.INT ? Number(value.value) : undefined;
  };
  return { weight: intArgument('weight') ?? 1, listSize: intArgument('listSize') };
}

/** The costs are read from the SDL once per field and kept beside the schema object. */
export function costOfField(field: GraphQLField<unknown, unknown>): DeclaredCost {
  let cost = fieldCosts.get(field);
  if (!cost) {
    cost = readCost(field.astNode?.directives) ?? DEFAULT_COST;
    fieldCosts.set(field, cost);
  }
  return cost;
}

/** What an argument taking `value` adds to its field's cost (0 for a value without `@cost`). */
export function costOfEnumValue(type: GraphQLEnumType, value: unknown): number {
  if (typeof value !== 'string' && typeof value !== 'number') return 0;
  const enumValue = type.getValues().find((candidate) => candidate.value === value);
  if (!enumValue) return 0;
  let cost = fieldCosts.get(enumValue);
  if (!cost) {
    cost = readCost(enumValue.astNode?.directives) ?? { weight: 0, listSize: undefined };
    fieldCosts.set(enumValue, cost);
  }
  return cost.weight;
}
