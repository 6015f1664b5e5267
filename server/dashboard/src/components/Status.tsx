import { useEffect, useState } from 'react';
import type { ApiError } from '../app/api';

/**
 * A loading line that screen readers announce. With `pending` (the server is computing a whole-graph answer for the
 * first time, ANSWER_PENDING) it says so and when the page asks again.
 */
export function Loading({ what, pending }: { what: string; pending?: number }) {
  return (
    <p className="loading" role="status" aria-live="polite" data-pending={pending !== undefined ? 'true' : undefined}>
      <span className="spinner" aria-hidden="true" />{' '}
      {pending !== undefined ? `Computing ${what} for the first time… asking again in ${pending} s.` : `Loading ${what}…`}
    </p>
  );
}

/** The loading line, or the error with its retry button, of one query. */
export function QueryStatus({ state, what }: { state: { loading: boolean; pending?: number; error?: ApiError; reload: () => void }; what: string }) {
  if (state.error) return <ErrorMessage error={state.error} onRetry={state.reload} />;
  if (state.loading) return <Loading what={what} pending={state.pending} />;
  return null;
}

const TITLES: Record<ApiError['kind'], string> = {
  unauthenticated: 'Not signed in',
  rateLimited: 'Too many requests',
  timeout: 'Query timed out',
  unavailable: 'Service unavailable',
  forbidden: 'Not allowed',
  notFound: 'Not found',
  badInput: 'Check the input',
  network: 'No connection',
  pending: 'Still computing',
  other: 'Something went wrong',
};

/** An error in words, with a retry button; after a 429 or 503 the button waits out Retry-After, counting down. */
export function ErrorMessage({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  const [secondsLeft, setSecondsLeft] = useState(error.retryAfterSeconds ?? 0);
  useEffect(() => {
    setSecondsLeft(error.retryAfterSeconds ?? 0);
    if (!error.retryAfterSeconds) return;
    const timer = window.setInterval(() => setSecondsLeft((s) => Math.max(0, s - 1)), 1000);
    return () => window.clearInterval(timer);
  }, [error]);
  return (
    <div className="error" role="alert" data-error-kind={error.kind}>
      <strong>{TITLES[error.kind]}.</strong> <span className="error-message">{error.message}</span>
      {onRetry && error.kind !== 'unauthenticated' && error.kind !== 'notFound' && error.kind !== 'badInput' && (
        <button type="button" onClick={onRetry} disabled={secondsLeft > 0}>
          {secondsLeft > 0 ? `Retry in ${secondsLeft} s` : 'Retry'}
        </button>
      )}
    </div>
  );
}
