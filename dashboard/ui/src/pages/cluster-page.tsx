/**
 * Copies: one syndication cluster — the origin (earliest article) and every outlet that republished it, how long
 * after, under which headline. Reached from a search result's "N copies" chip; the URL holds the cluster id.
 */
import type { ClusterMember } from '../../../../store/article-store.ts';
import { QueryError } from '../components/query-error.tsx';
import { formatCount, formatDateTime } from '../format.ts';
import { useCluster } from '../hooks.ts';
import { safeHttpUrl } from '../safe-url.ts';

/** "origin", "+45 min", "+3.5 h", "+2 d 4 h": readable delays for a table column. */
export function formatDelay(hours: number, isOrigin: boolean): string {
  if (isOrigin) return 'origin';
  if (hours < 1) return `+${Math.round(hours * 60)} min`;
  if (hours < 48) return `+${Number.isInteger(hours) ? hours : hours.toFixed(1)} h`;
  const days = Math.floor(hours / 24);
  return `+${days} d ${Math.round(hours - days * 24)} h`;
}

export function ClusterPage({ params }: { params: URLSearchParams }) {
  const id = params.get('id');
  const cluster = useCluster(id);
  if (!id) return <p className="empty">No cluster selected. Open one from a search result's "copies" chip.</p>;
  const data = cluster.data;
  const origin = data?.members[0];
  const outletName = (outletId: string): string => data?.outletNames[outletId] ?? outletId;
  const outlets = new Set(data?.members.map((m) => m.outletId) ?? []);
  return (
    <section aria-labelledby="cluster-title">
      <h1 id="cluster-title">Copies of one story</h1>
      {cluster.error ? <QueryError error={cluster.error} /> : null}
      <p className="status" aria-live="polite">
        {cluster.loading ? 'Loading…' : null}
      </p>
      {data && origin ? (
        <>
          <p data-testid="cluster-summary">
            First published by <strong>{outletName(origin.outletId)}</strong> on {formatDateTime(origin.date)}; {formatCount(data.size)} articles
            from {formatCount(outlets.size)} outlets carry the same text.
            {data.members.length < data.size ? ` Showing the first ${formatCount(data.members.length)}.` : ''}
          </p>
          <div className="table-wrap">
            <table className="cluster" data-testid="cluster-table">
              <thead>
                <tr>
                  <th scope="col">Outlet</th>
                  <th scope="col">Published</th>
                  <th scope="col">After origin</th>
                  <th scope="col">Headline</th>
                </tr>
              </thead>
              <tbody>
                {data.members.map((m, i) => (
                  <MemberRow key={m.id} member={m} outletName={outletName(m.outletId)} isOrigin={i === 0 && m.id === data.originId} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </section>
  );
}

function MemberRow({ member, outletName, isOrigin }: { member: ClusterMember; outletName: string; isOrigin: boolean }) {
  const href = safeHttpUrl(member.url);
  return (
    <tr className={isOrigin ? 'cluster-origin' : undefined} data-testid="cluster-member">
      <td>{outletName}</td>
      <td>
        <time dateTime={member.date}>{formatDateTime(member.date)}</time>
        {member.dateIsFallback ? (
          <span className="badge badge-fallback" title="No publication date; this is when Narrative Monitor first saw the article.">
            first seen
          </span>
        ) : null}
      </td>
      <td data-testid="cluster-delay">{formatDelay(member.delayHours, isOrigin)}</td>
      <td>
        {href ? (
          <a href={href} target="_blank" rel="noopener noreferrer">
            {member.title || href}
          </a>
        ) : (
          member.title
        )}
      </td>
    </tr>
  );
}
