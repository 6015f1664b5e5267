import { Neo4jError } from 'neo4j-driver';
import { badInput, DomainError, ERROR_CODES } from '../../graph/errors';
import { toDomainError } from '../../graph/neo4j';
import { createErrorFormatter } from '../../server/errors';
import { createLogger } from '../../server/logger';

const format = createErrorFormatter(createLogger('silent'));
const driverError = (code: string, retriable = false) => Object.assign(new Neo4jError('from the driver', code, '50N42', 'error'), { retriable });

describe('errors', () => {
  test('a writer names its field relative to its input and the caller adds where the input sits', () => {
    const error = badInput('rating', 'rating must be from 1 to 5.');
    expect(error.under('input')).toMatchObject({ field: 'input.rating', message: 'rating must be from 1 to 5.' });
    expect(error.under('events[3].recordReview', 'events[3] (recordReview)')).toMatchObject({
      field: 'events[3].recordReview.rating',
      message: 'events[3] (recordReview): rating must be from 1 to 5.',
    });
  });

  test('domain errors keep their code and field through the formatter', () => {
    expect(format({ message: 'x' }, badInput('input.rating', 'bad'))).toMatchObject({ message: 'bad', extensions: { code: 'BAD_USER_INPUT', field: 'input.rating' } });
  });

  test('an error without a known code reaches the client only as an opaque internal error', () => {
    const formatted = format({ message: 'secret detail', extensions: { code: 'SOMETHING_ELSE' } }, new Error('secret detail'));
    expect(formatted).toMatchObject({ message: 'Internal server error.', extensions: { code: ERROR_CODES.INTERNAL_SERVER_ERROR } });
  });

  test('codes from the one list pass through as they are', () => {
    for (const code of [ERROR_CODES.FORBIDDEN, ERROR_CODES.GRAPHQL_VALIDATION_FAILED, ERROR_CODES.QUERY_TOO_DEEP]) {
      expect(format({ message: 'm', extensions: { code } }, new Error('m')).extensions?.code).toBe(code);
    }
  });

  test('driver errors become the service\'s own in the gateway', () => {
    expect(toDomainError(driverError('Neo.ClientError.Schema.ConstraintValidationFailed'))).toMatchObject({ code: 'CONFLICT' });
    expect(toDomainError(driverError('Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration'))).toMatchObject({ code: 'QUERY_TIMEOUT' });
    expect(toDomainError(driverError('ServiceUnavailable', true))).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    const other = driverError('Neo.ClientError.Statement.SyntaxError');
    expect(toDomainError(other)).toBe(other);
    const domain = new DomainError('NOT_FOUND', 'id', 'no such customer');
    expect(toDomainError(domain)).toBe(domain);
  });
});
