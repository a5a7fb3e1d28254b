/**
 * Progress of themes being re-tagged in the background after an edit: one bar per pending or running job,
 * polled while any is active. When a job ends the caller is told, so the trend chart can be fetched again.
 */
import { useEffect, useRef } from 'react';
import type { RetagJobView, Theme } from '../../../api/schemas.ts';
import { formatCount } from '../format.ts';
import { useRetagJobs } from '../hooks.ts';

const POLL_MS = 1000;

const isActive = (job: RetagJobView): boolean => job.status === 'pending' || job.status === 'running';

export function RetagProgress({ themes, onFinished }: { themes: readonly Theme[]; onFinished: () => void }) {
  const jobs = useRetagJobs();
  const { reload } = jobs;
  const list = jobs.data ?? [];
  const active = list.filter(isActive);
  const failed = list.filter((j) => j.status === 'failed');
  const activeKey = active.map((j) => j.themeId).join(',');
  const previous = useRef<string>('');

  useEffect(() => {
    // A theme that was active on the previous poll and is not any more has finished: redraw the chart.
    const before = previous.current.split(',').filter(Boolean);
    const now = new Set(activeKey.split(',').filter(Boolean));
    if (before.some((id) => !now.has(id))) onFinished();
    previous.current = activeKey;
    if (activeKey === '') return;
    const timer = window.setTimeout(reload, POLL_MS);
    return () => window.clearTimeout(timer);
    // `list` changes identity on every poll, so the effect re-arms the timer after each answer.
  }, [activeKey, jobs.data, reload, onFinished]);

  if (active.length === 0 && failed.length === 0) return null;
  const name = (id: string): string => themes.find((t) => t.id === id)?.name ?? id;
  return (
    <ul className="retag-list" aria-label="Themes being re-tagged" data-testid="retag-progress">
      {active.map((job) => (
        <li key={job.themeId} data-testid="retag-job">
          <span className="chip chip-theme">{name(job.themeId)}</span>{' '}
          {job.status === 'pending' ? (
            <span className="status">waiting for a worker to re-tag stored articles…</span>
          ) : (
            <>
              <progress max={Math.max(job.total, 1)} value={job.done} aria-label={`Re-tagging ${name(job.themeId)}`} />{' '}
              <span className="status">
                re-tagging: {formatCount(job.done)} of {formatCount(job.total)} articles
              </span>
            </>
          )}
        </li>
      ))}
      {failed.map((job) => (
        <li key={job.themeId} data-testid="retag-job-failed">
          <span className="chip chip-theme">{name(job.themeId)}</span>{' '}
          <span className="status-pill status-error">re-tag failed</span> {job.error}
        </li>
      ))}
    </ul>
  );
}
