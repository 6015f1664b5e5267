import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';

function parseInstant(value: unknown): number {
  const millis = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(millis)) {
    throw new GraphQLError(`DateTime must be an ISO-8601 instant such as 2026-11-28T09:30:00Z; got ${JSON.stringify(value)?.slice(0, 40)}.`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return millis;
}

/** Instants travel as ISO-8601 strings and live in Neo4j as epoch milliseconds. */
export const DateTime = new GraphQLScalarType<number, string>({
  name: 'DateTime',
  serialize: (value) => new Date(value as number).toISOString(),
  parseValue: parseInstant,
  parseLiteral: (ast) => parseInstant(ast.kind === Kind.STRING ? ast.value : undefined),
});

/** Documents returned as they are (the data-subject export); accepted as they are where an argument takes one. */
export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});
