/**
 * The header line with the archive size and the backends in use, refreshed every 30 s so a running
 * ingest is visible without reloading.
 */
import { useEffect } from 'react';
import { formatCount } from '../format.ts';
import { useHealth } from '../hooks.ts';

const REFRESH_MS = 30_000;

export function HealthHeader() {
  const { data, error, reload } = useHealth();
  useEffect(() => {
    const timer = window.setInterval(reload, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [reload]);
  if (error) {
    return (
      <p className="health health-down" data-testid="health" role="status">
        API unavailable: {error.message}
      </p>
    );
  }
  if (!data) return <p className="health" data-testid="health">Connecting…</p>;
  return (
    <p className="health" data-testid="health" role="status">
      <span data-testid="health-articles">{formatCount(data.articles)}</span> articles ·{' '}
      {formatCount(data.feeds)} feeds · store <strong>{data.store}</strong> · queue <strong>{data.queue}</strong> · v
      {data.version}
    </p>
  );
}
