import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLFormattedError } from 'graphql';
import { DomainError, ERROR_CODES } from '../graph/errors';
import type { Logger } from './logger';

const KNOWN_CODES = new Set<string>(Object.values(ERROR_CODES));

/**
 * Domain errors keep their code and name the field (driver errors were already mapped to them in the
 * Graph gateway); errors carrying a code from the one list pass as they are; anything else is logged
 * in full and reaches the client only as an opaque internal error.
 */
export function createErrorFormatter(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return { ...formatted, message: original.message, extensions: { code: original.code, ...(original.field === undefined ? {} : { field: original.field }) } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && KNOWN_CODES.has(code) && code !== ERROR_CODES.INTERNAL_SERVER_ERROR) return formatted;
    log.error({ err: original, path: formatted.path }, 'unexpected error');
    return { message: 'Internal server error.', path: formatted.path, locations: formatted.locations, extensions: { code: ERROR_CODES.INTERNAL_SERVER_ERROR } };
  };
}
