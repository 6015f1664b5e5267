import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, graphql } from './api';

export interface QueryState<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  /** Set while the server computes a whole-graph answer for the first time (ANSWER_PENDING): the retry's wait in s. */
  pending?: number;
  reload: () => void;
}

/** Runs a GraphQL query when the component mounts and whenever the variables change; `skip` waits for input. */
export function useQuery<T>(query: string, variables: Record<string, unknown>, options: { skip?: boolean } = {}): QueryState<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean; pending?: number }>({ loading: !options.skip });
  const [attempt, setAttempt] = useState(0);
  const variablesKey = JSON.stringify(variables);
  const latest = useRef(0);
  useEffect(() => {
    if (options.skip) {
      setState({ loading: false });
      return;
    }
    const request = ++latest.current;
    const abort = new AbortController();
    setState((previous) => ({ data: previous.data, loading: true }));
    // ANSWER_PENDING is retried by graphql() after the wait the server names; meanwhile the page says "computing…".
    const onPending = (seconds: number) => request === latest.current && setState((previous) => ({ data: previous.data, loading: true, pending: seconds }));
    graphql<T>(query, JSON.parse(variablesKey) as Record<string, unknown>, undefined, { onPending, signal: abort.signal }).then(
      (data) => request === latest.current && setState({ data, loading: false }),
      (error: unknown) =>
        request === latest.current &&
        setState({ error: error instanceof ApiError ? error : new ApiError('other', String(error)), loading: false }),
    );
    return () => abort.abort();
  }, [query, variablesKey, options.skip, attempt]);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...state, reload };
}
