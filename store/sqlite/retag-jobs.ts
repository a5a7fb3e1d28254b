/**
 * The retag_jobs table (migration 40) behind the CatalogStore's re-tag job methods: one row per theme, a lease
 * (owner + heartbeat) claimed in BEGIN IMMEDIATE so one process at a time runs a job, generation-guarded writes.
 */
import type { Database } from 'better-sqlite3';
import type { CatalogStore, RetagJob, RetagProgress, RetagStatus } from '../catalog-store.ts';

interface RetagJobRow {
  theme_id: string;
  query: string;
  generation: number;
  status: RetagStatus;
  cursor: string | null;
  done: number;
  total: number;
  added: number;
  removed: number;
  requested_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
}

/** The CatalogStore methods that read and write re-tag jobs. */
export type RetagJobMethods = Pick<
  CatalogStore,
  'requestRetag' | 'getRetagJob' | 'listRetagJobs' | 'claimRetagJob' | 'recordRetagProgress' | 'finishRetagJob'
>;

const COLUMNS = `theme_id, query, generation, status, cursor, done, total, added, removed, requested_at, started_at,
  finished_at, error`;

/** Builds the re-tag job methods on an open, migrated connection. */
export function createRetagJobMethods(db: Database): RetagJobMethods {
  const selectOne = db.prepare<[string], RetagJobRow>(`SELECT ${COLUMNS} FROM retag_jobs WHERE theme_id = ?`);
  const selectAll = db.prepare<[], RetagJobRow>(`SELECT ${COLUMNS} FROM retag_jobs ORDER BY theme_id`);
  const upsert = db.prepare<[string, string, string]>(`
    INSERT INTO retag_jobs (theme_id, query, generation, status, requested_at) VALUES (?, ?, 1, 'pending', ?)
    ON CONFLICT (theme_id) DO UPDATE SET
      query = excluded.query, generation = retag_jobs.generation + 1, status = 'pending', cursor = NULL,
      done = 0, total = 0, added = 0, removed = 0, requested_at = excluded.requested_at, started_at = NULL,
      finished_at = NULL, error = NULL, owner = NULL, heartbeat_at = NULL`);
  // Pending first (oldest request first), then abandoned running jobs: a new request should not wait behind
  // the resumption of an old one only because that one was requested earlier.
  const selectClaimable = db.prepare<[string], RetagJobRow>(`
    SELECT ${COLUMNS} FROM retag_jobs
    WHERE status = 'pending' OR (status = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < ?))
    ORDER BY status = 'running', requested_at, theme_id LIMIT 1`);
  const claim = db.prepare<[string, string, string, string, number]>(`
    UPDATE retag_jobs SET status = 'running', owner = ?, heartbeat_at = ?, started_at = coalesce(started_at, ?)
    WHERE theme_id = ? AND generation = ?`);
  const progress = db.prepare<{
    themeId: string;
    generation: number;
    owner: string;
    cursor: string | null;
    done: number;
    total: number;
    added: number;
    removed: number;
    now: string;
  }>(`
    UPDATE retag_jobs SET cursor = @cursor, done = @done, total = @total, added = @added, removed = @removed,
      heartbeat_at = @now
    WHERE theme_id = @themeId AND generation = @generation AND owner = @owner AND status = 'running'`);
  const finish = db.prepare<[RetagStatus, string | null, string, string, string, number, string]>(`
    UPDATE retag_jobs SET status = ?, error = ?, finished_at = ?, heartbeat_at = ?
    WHERE theme_id = ? AND generation = ? AND owner = ? AND status = 'running'`);

  const requestTx = db.transaction((themeId: string, query: string, nowIso: string) => {
    upsert.run(themeId, query, nowIso);
    return selectOne.get(themeId);
  });
  const claimTx = db.transaction((owner: string, nowIso: string, staleIso: string) => {
    const row = selectClaimable.get(staleIso);
    if (!row) return undefined;
    claim.run(owner, nowIso, nowIso, row.theme_id, row.generation);
    return selectOne.get(row.theme_id);
  });
  const progressTx = db.transaction((args: Parameters<typeof progress.run>[0]) => progress.run(args).changes > 0);
  const finishTx = db.transaction((...args: Parameters<typeof finish.run>) => finish.run(...args).changes > 0);

  return {
    async requestRetag(themeId, query, now) {
      const row = requestTx.immediate(themeId, query, now.toISOString());
      if (!row) throw new Error(`catalog-store: re-tag job of ${themeId} vanished after insert`);
      return rowToJob(row);
    },
    async getRetagJob(themeId) {
      const row = selectOne.get(themeId);
      return row ? rowToJob(row) : null;
    },
    async listRetagJobs() {
      return selectAll.all().map(rowToJob);
    },
    async claimRetagJob(owner, now, staleBefore) {
      const row = claimTx.immediate(owner, now.toISOString(), staleBefore.toISOString());
      return row ? rowToJob(row) : null;
    },
    async recordRetagProgress(themeId, generation, owner, p: RetagProgress, now) {
      return progressTx.immediate({ themeId, generation, owner, ...p, now: now.toISOString() });
    },
    async finishRetagJob(themeId, generation, owner, outcome, now) {
      const nowIso = now.toISOString();
      const error = outcome.status === 'failed' ? outcome.error : null;
      return finishTx.immediate(outcome.status, error, nowIso, nowIso, themeId, generation, owner);
    },
  };
}

function rowToJob(row: RetagJobRow): RetagJob {
  return {
    themeId: row.theme_id,
    query: row.query,
    generation: row.generation,
    status: row.status,
    cursor: row.cursor,
    done: row.done,
    total: row.total,
    added: row.added,
    removed: row.removed,
    requestedAt: row.requested_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
  };
}
