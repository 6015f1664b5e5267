import { useEffect, useState } from 'react';

/**
 * Hash routes (`#/customer/c5`): the server serves one static page, links are real links, and the back button works.
 * A route is a path and its query string; pages read their parameters from it.
 */
export interface Route {
  /** Path segments after `#/`, e.g. ['customer', 'c5']. */
  segments: string[];
  query: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [path, search = ''] = raw.split('?');
  return { segments: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(search) };
}

/** The href of a route: `href('customer', id)` → `#/customer/<id>`. */
export function href(...segments: string[]): string {
  return `#/${segments.map(encodeURIComponent).join('/')}`;
}

export function hrefWithQuery(segments: string[], query: Record<string, string>): string {
  const search = new URLSearchParams(query).toString();
  return `${href(...segments)}${search ? `?${search}` : ''}`;
}

export function navigate(to: string): void {
  window.location.hash = to.replace(/^#/, '');
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
