/**
 * Hash routing: `#/trends?q=a&q=b&interval=week&from=2018-01-01`. The whole page state lives in the URL so a
 * researcher can share a chart or a result list by pasting the link, and the server needs no SPA fallback.
 */
import { useEffect, useState } from 'react';
import { withParams, type Params } from './api-client.ts';

// 'cluster' has no nav entry: it is reached from a search result's "N copies" chip.
export const PAGES = ['trends', 'matrix', 'search', 'feeds', 'alerts', 'cluster'] as const;
export type Page = (typeof PAGES)[number];

export interface Route {
  page: Page;
  params: URLSearchParams;
}

function isPage(value: string): value is Page {
  return (PAGES as readonly string[]).includes(value);
}

/** Parses a location hash such as `#/search?q=x`; anything unknown lands on Trends. */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const name = q === -1 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
  return { page: isPage(name) ? name : 'trends', params };
}

/** The hash for a page and its state. */
export function hrefFor(page: Page, params: Params = {}): string {
  return `#${withParams(`/${page}`, params)}`;
}

/** Moves to a page; `replace` avoids a history entry for small edits (e.g. interval switches). */
export function navigate(page: Page, params: Params = {}, options: { replace?: boolean } = {}): void {
  const href = hrefFor(page, params);
  if (options.replace) {
    history.replaceState(null, '', href);
    // replaceState does not fire hashchange; tell the router ourselves.
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = href.slice(1);
  }
}

/** The current route, updated on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
