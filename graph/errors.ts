/**
 * Every code a client can branch on, as `extensions.code`: the one list, imported wherever an error
 * is raised. The error formatter lets exactly these through; anything else is an internal error.
 */
export const ERROR_CODES = {
  /** Input that breaks a rule; `extensions.field` names the field. HTTP 200 inside GraphQL, 400 outside. */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  /** A uniqueness rule or a concurrent writer took the value first, or an idempotency key was reused. */
  CONFLICT: 'CONFLICT',
  /** An invite in an invite-only campaign from someone with no invitations left; `extensions.field` names the source (`input.referrerId`, `input.code`). */
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  /** Too many requests a minute, or too many whole-graph computations in flight, for this key; retry after `Retry-After` seconds. */
  RATE_LIMITED: 'RATE_LIMITED',
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  QUERY_TOO_COSTLY: 'QUERY_TOO_COSTLY',
  /** The document has more tokens (MAX_QUERY_TOKENS) or selections (MAX_QUERY_SELECTIONS) than the service reads. */
  QUERY_TOO_LARGE: 'QUERY_TOO_LARGE',
  /** The operation asks for more root fields than MAX_ROOT_FIELDS; split it into several requests. */
  TOO_MANY_ROOT_FIELDS: 'TOO_MANY_ROOT_FIELDS',
  /** The answer would be larger than MAX_RESPONSE_BYTES; ask for smaller pages or fewer fields. */
  RESPONSE_TOO_LARGE: 'RESPONSE_TOO_LARGE',
  /** An operation type the service does not offer (subscriptions). HTTP 400. */
  OPERATION_NOT_SUPPORTED: 'OPERATION_NOT_SUPPORTED',
  /** Neo4j terminated a transaction that ran longer than NEO4J_TX_TIMEOUT_SECONDS. */
  QUERY_TIMEOUT: 'QUERY_TIMEOUT',
  /** A whole-graph answer nobody asked for before is being computed in the background; ask again after `Retry-After` seconds. */
  ANSWER_PENDING: 'ANSWER_PENDING',
  /** Neo4j or another backing service is unreachable; retry after `Retry-After` seconds. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  BAD_REQUEST: 'BAD_REQUEST',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  // Raised by Apollo Server itself.
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes graph/ raises for a request that broke a rule; nothing was written when one is thrown. */
export type DomainErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'QUOTA_EXCEEDED' | 'QUERY_TIMEOUT' | 'SERVICE_UNAVAILABLE';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    /**
     * The input field at fault, relative to the writer's own input (`rating`, `invitee.id`); the caller
     * that knows where the input sits adds the rest once (`input.rating`, `events[3].recordReview.rating`).
     */
    readonly field: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  /** The same error seen from `prefix` (`input`, `events[3].recordReview`); `label` also prefixes the message. */
  under(prefix: string, label?: string): DomainError {
    const field = this.field === undefined ? prefix : `${prefix}.${this.field}`;
    return new DomainError(this.code, field, label ? `${label}: ${this.message}` : this.message);
  }
}

export const badInput = (field: string, message: string) => new DomainError('BAD_USER_INPUT', field, message);
export const notFound = (field: string, message: string) => new DomainError('NOT_FOUND', field, message);
export const conflict = (field: string | undefined, message: string) => new DomainError('CONFLICT', field, message);
export const quotaExceeded = (field: string, message: string) => new DomainError('QUOTA_EXCEEDED', field, message);

/** Runs `work`, reporting its domain errors as seen from `prefix`. */
export async function withinField<T>(prefix: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof DomainError ? error.under(prefix) : error;
  }
}

/**
 * Runs `work`, one statement that a uniqueness constraint guards: when a concurrent writer took the value
 * first (the gateway's CONFLICT naming no field), the conflict names `field` and says why.
 */
export async function conflictOn<T>(field: string, message: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError && error.code === 'CONFLICT' && error.field === undefined) throw conflict(field, message);
    throw error;
  }
}
