import { useEffect, useState } from 'react';
import { PAGES } from '../pages/registry';
import { ErrorMessage, Loading } from '../components/Status';
import { ApiError, onKeyRefused } from './api';
import type { Role } from './roles';
import { href, useRoute } from './router';
import { forgetKey, storeKey, storedKey } from './session';
import { identify, SignIn } from './SignIn';

type Session = { state: 'checking' } | { state: 'signedOut'; message?: string } | { state: 'signedIn'; role: Role; version: string } | { state: 'failed'; error: ApiError };

export function App() {
  const [session, setSession] = useState<Session>(() => (storedKey() ? { state: 'checking' } : { state: 'signedOut' }));
  const route = useRoute();

  // A key kept from earlier in this tab: ask who it is (it may have been revoked since).
  useEffect(() => {
    const key = storedKey();
    if (!key || session.state !== 'checking') return;
    identify(key).then(
      ({ role, version }) => setSession({ state: 'signedIn', role, version }),
      (error: ApiError) => {
        if (error.kind === 'unauthenticated') {
          forgetKey();
          setSession({ state: 'signedOut', message: error.message });
        } else setSession({ state: 'failed', error });
      },
    );
  }, [session.state]);

  // Any later request the server refuses sends the reader back to the sign-in form, with the reason.
  useEffect(
    () =>
      onKeyRefused((message) => {
        forgetKey();
        setSession({ state: 'signedOut', message });
      }),
    [],
  );

  const pages = session.state === 'signedIn' ? PAGES.filter((page) => page.roles.includes(session.role)) : [];
  const page = pages.find((candidate) => candidate.path === route.segments[0]) ?? pages[0];
  useEffect(() => {
    document.title = page ? `${page.title} · Grapevine` : 'Grapevine';
  }, [page]);

  if (session.state === 'checking') return <Loading what="your session" />;
  if (session.state === 'failed') return <ErrorMessage error={session.error} onRetry={() => setSession({ state: 'checking' })} />;
  if (session.state === 'signedOut') {
    return (
      <SignIn
        message={session.message}
        onSignedIn={(key, role, version) => {
          storeKey(key);
          setSession({ state: 'signedIn', role, version });
        }}
      />
    );
  }

  const unknown = route.segments.length > 0 && page.path !== route.segments[0];
  return (
    <>
      <a className="skip-link" href="#main" onClick={(event) => (event.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Grapevine</span>
        <nav aria-label="Pages">
          <ul>
            {pages.map((candidate) => (
              <li key={candidate.path}>
                <a href={href(candidate.path)} aria-current={candidate === page ? 'page' : undefined}>
                  {candidate.title}
                </a>
              </li>
            ))}
            <li>
              <a href="/graphql">GraphQL explorer</a>
            </li>
          </ul>
        </nav>
        <span className="who">
          <span data-testid="role">{session.role.toLowerCase()}</span>
          <button
            type="button"
            onClick={() => {
              forgetKey();
              setSession({ state: 'signedOut' });
            }}
          >
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <h1>{page.title}</h1>
        {unknown && <p className="warning">There is no page “{route.segments[0]}” for your role; here is {page.title}.</p>}
        <page.Component key={page.path} route={route} role={session.role} />
      </main>
    </>
  );
}
