/**
 * The dashboard shell: header with archive health, top navigation, and the page the URL hash names.
 */
import { useEffect, useRef } from 'react';
import { HealthHeader } from './components/health-header.tsx';
import { AlertsPage } from './pages/alerts-page.tsx';
import { ClusterPage } from './pages/cluster-page.tsx';
import { FeedsPage } from './pages/feeds-page.tsx';
import { MatrixPage } from './pages/matrix-page.tsx';
import { SearchPage } from './pages/search-page.tsx';
import { TrendsPage } from './pages/trends-page.tsx';
import { hrefFor, useRoute, type Page } from './route.ts';

const NAV: { page: Page; label: string }[] = [
  { page: 'trends', label: 'Trends' },
  { page: 'matrix', label: 'Matrix' },
  { page: 'search', label: 'Search' },
  { page: 'feeds', label: 'Feeds' },
  { page: 'alerts', label: 'Alerts' },
];

export function App() {
  const route = useRoute();
  // Going back to a page from the nav restores its last state (queries, dates), as a researcher expects.
  const lastHref = useRef(new Map<Page, string>());
  lastHref.current.set(route.page, window.location.hash || hrefFor(route.page));
  const current = NAV.find((n) => n.page === route.page)?.label ?? (route.page === 'cluster' ? 'Copies' : '');
  useEffect(() => {
    document.title = `${current} · Narrative Monitor`;
  }, [current]);
  return (
    <>
      <header className="top">
        <div className="top-inner">
          <a className="brand" href={hrefFor('trends')}>
            Narrative Monitor
          </a>
          <nav aria-label="Main">
            <ul>
              {NAV.map((n) => (
                <li key={n.page}>
                  <a href={lastHref.current.get(n.page) ?? hrefFor(n.page)} aria-current={n.page === route.page ? 'page' : undefined} data-testid={`nav-${n.page}`}>
                    {n.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <HealthHeader />
        </div>
      </header>
      <main className="content" data-testid={`page-${route.page}`}>
        {route.page === 'trends' ? <TrendsPage params={route.params} /> : null}
        {route.page === 'matrix' ? <MatrixPage params={route.params} /> : null}
        {route.page === 'search' ? <SearchPage params={route.params} /> : null}
        {route.page === 'feeds' ? <FeedsPage /> : null}
        {route.page === 'alerts' ? <AlertsPage /> : null}
        {route.page === 'cluster' ? <ClusterPage params={route.params} /> : null}
      </main>
    </>
  );
}
