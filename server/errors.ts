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

/**
 * Domain errors keep their code and name the field; a uniqueness race in Neo4j is a CONFLICT;
 * anything else is logged in full and reaches the client only as an opaque internal error.
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
    if (typeof code === 'string' && KNOWN_CODES.has(code)) return formatted;
    log.error({ err: original, path: formatted.path }, 'unexpected error');
    return { message: 'Internal server error.', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
