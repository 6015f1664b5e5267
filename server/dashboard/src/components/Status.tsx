import { useEffect, useState } from 'react';
import type { ApiError } from '../app/api';

/** A loading line that screen readers announce. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
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
