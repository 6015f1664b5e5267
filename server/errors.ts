import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLFormattedError } from 'graphql';
import { Neo4jError } from 'neo4j-driver';
import { DomainError } from '../graph/errors';
import type { Logger } from './logger';

const KNOWN_CODES = new Set([
  'BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'FORBIDDEN', 'UNAUTHENTICATED', 'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE', 'QUERY_TOO_DEEP', 'QUERY_TOO_COSTLY', 'RATE_LIMITED', 'QUERY_TIMEOUT',
]);

// graphql-js rejects a variable of the wrong shape (an @oneOf input with two fields set, a string for an Int)
// before any resolver runs, and names the spot only in its message:
//   Variable "$events" got invalid value {…} at "events[1]"; Exactly one key must be specified for OneOf type "EventInput".
// The path is read back from there, so these errors name their field too (as the variable spells it).
const VARIABLE_ERROR = /^Variable "\$([_A-Za-z]\w*)" got invalid value /;
const VARIABLE_PATH = / at "([_A-Za-z]\w*(?:\.[_A-Za-z]\w*|\[\d+\])*)"; /;

export function fieldOfVariableError(message: string): string | undefined {
  const variable = VARIABLE_ERROR.exec(message);
  if (!variable) return undefined;
  return VARIABLE_PATH.exec(message)?.[1] ?? variable[1];
}

/**
 * Domain errors keep their code and name the field, as do bad variables; a uniqueness race in Neo4j is a
 * CONFLICT; anything else is logged in full and reaches the client only as an opaque internal error.
 */
export function createErrorFormatter(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return { ...formatted, message: original.message, extensions: { code: original.code, field: original.field } };
    }
    if (original instanceof Neo4jError && original.code === 'Neo.ClientError.Schema.ConstraintValidationFailed') {
      return { ...formatted, message: 'A concurrent write took this value first; retry.', extensions: { code: 'CONFLICT' } };
    }
    // Neo4j 5 says TransactionTimedOutClientConfiguration when the timeout came from the driver.
    if (original instanceof Neo4jError && original.code.startsWith('Neo.ClientError.Transaction.TransactionTimedOut')) {
      return { ...formatted, message: 'The query ran longer than NEO4J_TX_TIMEOUT_SECONDS allows; narrow it (a campaign, a smaller depth) and retry.', extensions: { code: 'QUERY_TIMEOUT' } };
    }
    const code = formatted.extensions?.code;
    if (code === 'BAD_USER_INPUT' && formatted.extensions?.field === undefined) {
      const field = fieldOfVariableError(formatted.message);
      if (field !== undefined) return { ...formatted, extensions: { ...formatted.extensions, field } };
    }
    if (typeof code === 'string' && KNOWN_CODES.has(code)) return formatted;
    log.error({ err: original, path: formatted.path }, 'unexpected error');
    return { message: 'Internal server error.', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
