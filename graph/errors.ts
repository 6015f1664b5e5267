/** Codes a client can branch on; they become GraphQL `extensions.code`. */
export type DomainErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT';

/** A rule of the domain that the request broke; nothing was written when one is thrown. */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    /** The input field at fault, as a path from the argument (`input.rating`, `events[3].code`). */
    readonly field: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  /** The same error, its message prefixed with where it happened (a batch names the event). */
  within(prefix: string): DomainError {
    return new DomainError(this.code, this.field, `${prefix}: ${this.message}`);
  }
}

export const badInput = (field: string, message: string) => new DomainError('BAD_USER_INPUT', field, message);
export const notFound = (field: string, message: string) => new DomainError('NOT_FOUND', field, message);
export const conflict = (field: string | undefined, message: string) => new DomainError('CONFLICT', field, message);
