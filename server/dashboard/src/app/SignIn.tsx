import { useState } from 'react';
import { ApiError, graphql } from './api';
import type { Role } from './roles';

const WHO_AM_I = `query DashboardSignIn { serviceInfo { role version } }`;

/** Asks the API who a key belongs to; a refused key leaves nothing stored. */
export async function identify(key: string): Promise<{ role: Role; version: string }> {
  const data = await graphql<{ serviceInfo: { role: Role; version: string } }>(WHO_AM_I, {}, key);
  return data.serviceInfo;
}

export function SignIn({ message, onSignedIn }: { message?: string; onSignedIn: (key: string, role: Role, version: string) => void }) {
  const [key, setKey] = useState('');
  const [state, setState] = useState<{ busy: boolean; error?: string }>({ busy: false });
  return (
    <main className="sign-in" id="main">
      <h1>Grapevine</h1>
      <form
        className="card"
        aria-labelledby="sign-in-heading"
        onSubmit={(event) => {
          event.preventDefault();
          setState({ busy: true });
          identify(key.trim()).then(
            ({ role, version }) => onSignedIn(key.trim(), role, version),
            (error: unknown) =>
              setState({
                busy: false,
                error: error instanceof ApiError && error.kind === 'unauthenticated' ? 'That API key was not accepted. Check it and try again.' : (error as Error).message,
              }),
          );
        }}
      >
        <h2 id="sign-in-heading">Sign in</h2>
        {(state.error ?? message) && (
          <p className="error" role="alert" data-testid="sign-in-message">
            {state.error ?? message}
          </p>
        )}
        <label htmlFor="api-key">API key</label>
        <input id="api-key" name="apiKey" type="password" value={key} onChange={(event) => setKey(event.target.value)} required autoComplete="off" autoFocus />
        <p className="muted">The key stays in this tab (session storage) and is sent only to this server, as the Authorization header.</p>
        <button type="submit" disabled={state.busy || key.trim() === ''}>
          {state.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
