import type { Person } from '../auth/session.js';
import { BASE, type Route } from '../router.js';
import { Link } from './link.js';

/** The header: the console's name, its pages, who is signed in with which role, and "Sign out". */
export function Header(props: {
  readonly person: Person;
  readonly route: Route;
  readonly onSignOut: () => void;
}) {
  const { person, route } = props;
  return (
    <header class="site-header">
      <Link href={BASE} class="brand">
        Incident response
      </Link>
      <nav aria-label="Main">
        <ul>
          <li>
            <Link href={BASE} current={route.page === 'incidents'}>
              Incidents
            </Link>
          </li>
          <li>
            <Link href={`${BASE}overview`} current={route.page === 'overview'}>
              Overview
            </Link>
          </li>
          <li>
            <Link href={`${BASE}dlq`} current={route.page === 'dead-letters'}>
              Dead letters
            </Link>
          </li>
        </ul>
      </nav>
      <div class="account">
        <p data-testid="whoami" title={person.email ?? person.subject}>
          {person.name} <span class="role">({person.role ?? 'no role'})</span>
        </p>
        <button type="button" onClick={props.onSignOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}
