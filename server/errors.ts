import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { DomainError, ERROR_CODES } from '../graph/errors';
import type { Logger } from './logger';

const KNOWN_CODES = new Set<string>(Object.values(ERROR_CODES));

// graphql-js rejects a variable of the wrong shape (an @oneOf input with two fields set, a string for an Int)
// before any resolver runs, and names the spot only in its message:
//   Variable "$events" got invalid value {…} at "events[1]"; Exactly one key must be specified for OneOf type "EventInput".
// The path is read back from there, so these errors name their field too (as the variable spells it).
const VARIABLE_ERROR = /^Variable "\$([_A-Za-z]\w*)" got invalid value /;
const VARIABLE_PATH = / at "([_A-Za-z]\w*(?:\.[_A-Za-z]\w*|\[\d+\])*)"; /;

// graphql-js 16 spells it "more that".
const TOO_MANY_TOKENS = /^Syntax Error: Document contains more tha[nt] (\d+) tokens\. Parsing aborted\.$/;

export function fieldOfVariableError(message: string): string | undefined {
  const variable = VARIABLE_ERROR.exec(message);
  if (!variable) return undefined;
  return VARIABLE_PATH.exec(message)?.[1] ?? variable[1];
}

/**
 * Domain errors keep their code and name the field (driver errors were already mapped to them in the
 * Graph gateway), as do bad variables; errors carrying a code from the one list pass as they are;
 * anything else is logged in full and reaches the client only as an opaque internal error.
 */
export function createErrorFormatter(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return { ...formatted, message: original.message, extensions: { code: original.code, ...(original.field === undefined ? {} : { field: original.field }) } };
    }
    const code = formatted.extensions?.code;
    // graphql-js stops parsing at MAX_QUERY_TOKENS with a syntax error; it is a limit, named like the others.
    const tokens = code === ERROR_CODES.GRAPHQL_PARSE_FAILED ? TOO_MANY_TOKENS.exec(formatted.message) : null;
    if (tokens) {
      const message = `The document has more than ${tokens[1]} tokens; split it into several requests.`;
      return { ...formatted, message, extensions: { ...formatted.extensions, code: ERROR_CODES.QUERY_TOO_LARGE, limit: Number(tokens[1]) } };
    }
    if (code === ERROR_CODES.BAD_USER_INPUT && formatted.extensions?.field === undefined) {
      const field = fieldOfVariableError(formatted.message);
      if (field !== undefined) return { ...formatted, extensions: { ...formatted.extensions, field } };
    }
    if (typeof code === 'string' && KNOWN_CODES.has(code) && code !== ERROR_CODES.INTERNAL_SERVER_ERROR) return formatted;
    // Apollo refuses some requests (a persisted-query hash that does not match, say) with a 4xx status and no code.
    if (isRequestError(error)) return { ...formatted, extensions: { ...formatted.extensions, code: ERROR_CODES.BAD_REQUEST } };
    log.error({ err: original, path: formatted.path }, 'unexpected error');
    return { message: 'Internal server error.', path: formatted.path, locations: formatted.locations, extensions: { code: ERROR_CODES.INTERNAL_SERVER_ERROR } };
  };
}

/** An error Apollo raised itself about the request, with a 4xx status: never something that failed inside. */
function isRequestError(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.originalError !== undefined) return false;
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
