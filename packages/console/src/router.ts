import type { SystemQueueName } from '@ir/contracts';
import { useEffect, useState } from 'preact/hooks';
import { isQueueName } from './dead-letters.js';

/** The console's base path; every page lives under it. */
export const BASE = '/console/';

/** A page of the console, from its path. */
export type Route =
  | { readonly page: 'incidents'; readonly query: URLSearchParams }
  | { readonly page: 'incident'; readonly id: string }
  | { readonly page: 'overview' }
  /** The DLQ depths, and with `queue` the messages in that queue's DLQ. */
  | { readonly page: 'dead-letters'; readonly queue?: SystemQueueName }
  | { readonly page: 'callback' }
  | { readonly page: 'not-found'; readonly path: string };

/** The route of a path and query under {@link BASE}. */
export function routeOf(pathname: string, search = ''): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname.replace(/^\/console$/, '');
  if (path === '' || path === 'incidents') return { page: 'incidents', query: new URLSearchParams(search) };
  if (path === 'overview') return { page: 'overview' };
  if (path === 'callback') return { page: 'callback' };
  if (path === 'dlq') return { page: 'dead-letters' };
  const deadLetters = /^dlq\/([^/]+)$/.exec(path);
  if (deadLetters?.[1] && isQueueName(deadLetters[1])) return { page: 'dead-letters', queue: deadLetters[1] };
  const incident = /^incidents\/([^/]+)$/.exec(path);
  if (incident?.[1]) {
    try {
      return { page: 'incident', id: decodeURIComponent(incident[1]) };
    } catch {
      // A malformed escape: not a page.
    }
  }
  return { page: 'not-found', path: pathname };
}

/** The path of an incident's page. */
export function incidentPath(id: string): string {
  return `${BASE}incidents/${encodeURIComponent(id)}`;
}

/** The path of the DLQ page, showing the messages of `queue`'s DLQ when given. */
export function deadLettersPath(queue?: SystemQueueName): string {
  return queue ? `${BASE}dlq/${queue}` : `${BASE}dlq`;
}

/** Goes to `href` (a path under the console) without reloading; `replace` keeps Back where it was. */
export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** The current location's route, updated on Back/Forward and on {@link navigate}. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(location.pathname, location.search));
  useEffect(() => {
    const update = () => setRoute(routeOf(location.pathname, location.search));
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return route;
}

/**
 * A click handler for in-console links: a plain left click navigates in place; a modified click
 * (new tab, download) is left to the browser. Why real `<a href>` underneath: keyboard, middle-click,
 * "copy link" and screen readers all work as on any page.
 */
export function onLinkClick(event: MouseEvent): void {
  const anchor = (event.currentTarget as HTMLAnchorElement | null) ?? undefined;
  if (
    !anchor ||
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey ||
    anchor.target
  ) {
    return;
  }
  const url = new URL(anchor.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(BASE)) return;
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
}
