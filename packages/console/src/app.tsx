import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { OperatorApi } from './api.js';
import { completeSignIn, markSignedOut, startSignIn } from './auth/oidc.js';
import { type Session, SessionStore } from './auth/session.js';
import { Header } from './components/header.js';
import type { ConsoleConfig } from './config.js';
import { DeadLettersPage } from './pages/dead-letters.js';
import { IncidentDetailPage } from './pages/incident-detail.js';
import { IncidentListPage } from './pages/incident-list.js';
import { OverviewPage } from './pages/overview.js';
import { SignInPage } from './pages/sign-in.js';
import { BASE, navigate, useRoute } from './router.js';

/** Only a path inside the console may be returned to after sign-in (never another site). */
function safeReturnPath(path: string): string {
  return path.startsWith(BASE) && !path.startsWith(`${BASE}callback`) && !path.startsWith('//') ? path : BASE;
}

/**
 * The console: the sign-in gate, then the header and the page of the current route. The session is
 * checked on every render, so an expired token shows the sign-in page, as a 401 from the API does.
 */
export function App({ config }: { readonly config: ConsoleConfig }) {
  const route = useRoute();
  const [store] = useState(() => new SessionStore(config));
  const [session, setSession] = useState<Session | undefined>(() => store.load());
  const [notice, setNotice] = useState<string | undefined>();
  const [callbackError, setCallbackError] = useState<string | undefined>();

  const signOut = (message?: string) => {
    store.clear();
    setSession(undefined);
    setNotice(message);
  };

  const api = useMemo(
    () =>
      new OperatorApi(
        config.apiBase,
        () => store.load()?.accessToken,
        () => signOut('Your session has ended (the API answered 401). Sign in again.'),
      ),
    [config.apiBase, store],
  );

  useEffect(() => {
    if (route.page !== 'callback') return;
    completeSignIn(config, new URL(location.href)).then(
      ({ session: signedIn, returnTo }) => {
        store.save(signedIn);
        setSession(signedIn);
        setNotice(undefined);
        navigate(safeReturnPath(returnTo), true);
      },
      (error: unknown) => {
        setCallbackError(error instanceof Error ? error.message : String(error));
        navigate(BASE, true);
      },
    );
  }, [route.page, config, store]);

  // A new page (not a new filter on the same one): focus moves to its content, as a page load would,
  // so that a keyboard or screen reader user starts there and not in the header.
  const page = route.page === 'incident' ? `incident:${route.id}` : route.page;
  const firstPage = useRef(true);
  useEffect(() => {
    if (firstPage.current) {
      firstPage.current = false;
      return;
    }
    document.getElementById('main')?.focus();
  }, [page]);

  // An expired token: back to sign-in, saying why.
  useEffect(() => {
    if (!session) return;
    const wait = Math.max(0, session.expiresAt - Date.now());
    const timer = setTimeout(
      () => signOut('Your session has expired. Sign in again.'),
      Math.min(wait, 2 ** 31 - 1),
    );
    return () => clearTimeout(timer);
  }, [session]);

  useEffect(() => {
    const titles: Record<string, string> = {
      incidents: 'Incidents',
      incident: 'Incident',
      overview: 'Overview',
      'dead-letters': 'Dead-letter queues',
      callback: 'Signing in',
      'not-found': 'Not found',
    };
    document.title = `${session ? titles[route.page] : 'Sign in'} · Incident response console`;
  }, [route.page, session]);

  if (route.page === 'callback') {
    return (
      <main class="page" id="main">
        <p role="status">Signing in…</p>
      </main>
    );
  }

  if (!session) {
    return (
      <SignInPage
        notice={notice}
        error={callbackError}
        onSignIn={() =>
          startSignIn(config, safeReturnPath(location.pathname + location.search)).catch((error: unknown) =>
            setCallbackError(error instanceof Error ? error.message : String(error)),
          )
        }
      />
    );
  }

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Header
        person={session.person}
        route={route}
        onSignOut={() => {
          markSignedOut();
          signOut('You have signed out.');
        }}
      />
      <main class="page" id="main" tabIndex={-1}>
        {route.page === 'incidents' && <IncidentListPage api={api} query={route.query} />}
        {route.page === 'incident' && (
          <IncidentDetailPage api={api} id={route.id} role={session.person.role} />
        )}
        {route.page === 'overview' && <OverviewPage api={api} />}
        {route.page === 'dead-letters' && (
          <DeadLettersPage api={api} queue={route.queue} role={session.person.role} />
        )}
        {route.page === 'not-found' && (
          <>
            <h1>Not found</h1>
            <p>There is no console page at {route.path}.</p>
          </>
        )}
      </main>
    </>
  );
}
