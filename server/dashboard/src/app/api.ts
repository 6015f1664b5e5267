import { storedKey } from './session';

/** What went wrong, in the terms a reader of the page needs: each kind gets its own message and remedy. */
export type ApiErrorKind =
  | 'unauthenticated' // no key, or a key the server does not accept (expired, revoked, mistyped)
  | 'rateLimited' // HTTP 429: too many requests; retry after `retryAfterSeconds`
  | 'timeout' // QUERY_TIMEOUT: the database gave up on the query
  | 'unavailable' // SERVICE_UNAVAILABLE / HTTP 503: Neo4j or the service is down for now
  | 'forbidden'
  | 'notFound'
  | 'badInput'
  | 'network'
  | 'pending' // ANSWER_PENDING: a whole-graph answer is being computed for the first time; ask again after `retryAfterSeconds`
  | 'other';

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly retryAfterSeconds?: number,
    readonly field?: string,
  ) {
    super(message);
  }
}

interface GraphQLErrorBody {
  message: string;
  extensions?: { code?: string; field?: string; retryAfterSeconds?: number };
}

const KIND_BY_CODE: Record<string, ApiErrorKind> = {
  UNAUTHENTICATED: 'unauthenticated',
  RATE_LIMITED: 'rateLimited',
  QUERY_TIMEOUT: 'timeout',
  SERVICE_UNAVAILABLE: 'unavailable',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'notFound',
  BAD_USER_INPUT: 'badInput',
};

/** Listeners told when the server refuses the key, so the app can return to the sign-in form. */
const signedOutListeners = new Set<(message: string) => void>();
export function onKeyRefused(listener: (message: string) => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

function retryAfter(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/**
 * Sends one operation to the public GraphQL API with the signed-in key (or `key`, when signing in), as any client
 * would. Resolves with `data` when the answer has no errors; otherwise rejects with an ApiError.
 */
export async function graphql<T>(query: string, variables: Record<string, unknown> = {}, key: string | null = storedKey(), options: GraphqlOptions = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await graphqlOnce<T>(query, variables, key);
    } catch (error) {
      if (!(error instanceof ApiError) || error.kind !== 'pending' || attempt >= MAX_PENDING_ATTEMPTS || options.signal?.aborted) throw error;
      const seconds = error.retryAfterSeconds ?? 2;
      options.onPending?.(seconds);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      if (options.signal?.aborted) throw error;
    }
  }
}

/**
 * A whole-graph answer asked for the first time (a campaign's advocates, a new algorithm's communities) is computed
 * in the background while the request is told ANSWER_PENDING with `extensions.retryAfterSeconds`. `graphql()` waits
 * that long and asks again, up to this many times (minutes, for the largest graphs), telling `onPending` each time so
 * the page can say "computing…" instead of failing.
 */
const MAX_PENDING_ATTEMPTS = 30;

export interface GraphqlOptions {
  /** Told the wait in seconds each time the server answers ANSWER_PENDING, before the retry. */
  onPending?: (retryAfterSeconds: number) => void;
  /** Stops retrying (the page no longer wants the answer). */
  signal?: AbortSignal;
}

async function graphqlOnce<T>(query: string, variables: Record<string, unknown>, key: string | null): Promise<T> {
  if (!key) throw new ApiError('unauthenticated', 'Sign in with an API key.');
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('network', 'The service cannot be reached. Check your connection and try again.');
  }
  const body = (await response.json().catch(() => null)) as { data?: T | null; errors?: GraphQLErrorBody[] } | null;
  const first = body?.errors?.[0];
  const code = first?.extensions?.code;
  if (response.status === 401 || code === 'UNAUTHENTICATED') {
    const error = new ApiError('unauthenticated', 'The server did not accept this API key (it may have expired or been revoked). Sign in again.');
    if (key === storedKey()) for (const listener of signedOutListeners) listener(error.message);
    throw error;
  }
  if (response.status === 429 || code === 'RATE_LIMITED') {
    const seconds = retryAfter(response);
    throw new ApiError('rateLimited', `Too many requests: retry in ${seconds ?? 'a few'} s.`, seconds);
  }
  if (code === 'QUERY_TIMEOUT') {
    throw new ApiError('timeout', 'The query took too long and was stopped. Try a narrower question (fewer generations, a campaign) or try again later.', undefined, first?.extensions?.field);
  }
  if (code === 'ANSWER_PENDING') {
    const seconds = first?.extensions?.retryAfterSeconds ?? retryAfter(response) ?? 2;
    throw new ApiError('pending', `This answer is being computed for the first time; asking again in ${seconds} s.`, seconds);
  }
  if (response.status === 503 || code === 'SERVICE_UNAVAILABLE') {
    const seconds = retryAfter(response);
    throw new ApiError('unavailable', `The service is unavailable right now${seconds !== undefined ? `: retry in ${seconds} s` : ''}.`, seconds);
  }
  if (first) {
    throw new ApiError(KIND_BY_CODE[code ?? ''] ?? 'other', first.message, undefined, first.extensions?.field);
  }
  if (!response.ok || !body?.data) throw new ApiError('other', `The service answered HTTP ${response.status}.`);
  return body.data;
}
