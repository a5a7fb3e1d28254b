/**
 * Theme re-tag jobs through the HTTP API: saving a theme answers with its pending job, the progress endpoints
 * show it, a worker-side re-tagger runs it, and the trend for the theme reflects the re-tag once it is done.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorResponse, RetagJobsResponse, RetagJobView, ThemeSaveResponse, TrendsResponse } from '../../dashboard/api/schemas.ts';
import { createRetagger } from '../../worker/retag/retagger.ts';
import { silentLogger } from '../helpers/silent-logger.ts';
import { FIXED_NOW, postJson, setupApi, type TestEnv } from './api-fixtures.ts';

let env: TestEnv;

beforeEach(async () => {
  env = await setupApi();
});

afterEach(async () => {
  await env.cleanup();
});

async function get<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await env.app.request(url);
  return { status: res.status, body: (await res.json()) as T };
}

const runWorker = () =>
  createRetagger({ articles: env.stores.articles, catalog: env.stores.catalog, logger: silentLogger, now: () => FIXED_NOW }).runPending();

describe('theme re-tag jobs over the API', () => {
  it('answers a new theme with its pending job, then shows the progress the worker made', async () => {
    const res = await postJson(env.app, '/api/themes', { name: 'Syria', query: 'syria OR actor:"White Helmets"' });
    expect(res.status).toBe(201);
    const saved = (await res.json()) as ThemeSaveResponse;
    expect(saved).toMatchObject({ id: 'syria', name: 'Syria', query: 'syria OR actor:"White Helmets"' });
    expect(saved.retag).toEqual({
      themeId: 'syria', query: 'syria OR actor:"White Helmets"', status: 'pending', done: 0, total: 0, added: 0, removed: 0,
      requestedAt: FIXED_NOW.toISOString(), startedAt: null, finishedAt: null, error: null,
    });
    expect((await get<RetagJobView>('/api/themes/syria/retag')).body.status).toBe('pending');

    // Before the re-tag, no stored article carries the new theme.
    const before = await get<TrendsResponse>('/api/trends?q=theme:syria&interval=month');
    expect(before.body.series[0]?.total).toBe(0);

    await runWorker();
    const after = await get<RetagJobView>('/api/themes/syria/retag');
    expect(after.status).toBe(200);
    // Four stored articles: three mention Syria, the fourth names the White Helmets.
    expect(after.body).toMatchObject({ status: 'done', done: 4, total: 4, added: 4, removed: 0, startedAt: FIXED_NOW.toISOString() });
    const trend = await get<TrendsResponse>('/api/trends?q=theme:syria&interval=month');
    expect(trend.body.series[0]?.total).toBe(4);
    expect(trend.body.series[0]?.fallbackDateCount).toBe(1);
  });

  it('re-tags on a query edit, keeps the last job on a rename, and lists every job', async () => {
    await runWorker(); // the fixture's 'chemical' theme gets its first job
    const edit = await postJson(env.app, '/api/themes', { id: 'chemical', name: 'Chemical', query: 'sochi' });
    expect(edit.status).toBe(200);
    const edited = (await edit.json()) as ThemeSaveResponse;
    expect(edited.retag.status).toBe('pending');
    await runWorker();
    const done = (await get<RetagJobView>('/api/themes/chemical/retag')).body;
    // Two articles were tagged 'chemical' at index time; only the Sochi one matches now.
    expect(done).toMatchObject({ status: 'done', query: 'sochi', added: 1, removed: 2 });

    const rename = (await (await postJson(env.app, '/api/themes', { id: 'chemical', name: 'Sochi talks', query: 'sochi' })).json()) as ThemeSaveResponse;
    expect(rename.retag).toEqual(done);

    const list = await get<RetagJobsResponse>('/api/themes/retag');
    expect(list.body.jobs.map((j) => [j.themeId, j.status])).toEqual([['chemical', 'done']]);
  });

  it('404s for a theme that does not exist and for a theme with no job yet', async () => {
    const unknown = await get<ErrorResponse>('/api/themes/nope/retag');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('theme_not_found');
    const noJob = await get<ErrorResponse>('/api/themes/chemical/retag');
    expect(noJob.status).toBe(404);
    expect(noJob.body.error.code).toBe('retag_job_not_found');
  });

  it('shows a failed job with its error', async () => {
    await env.stores.catalog.upsertTheme({ id: 'broken', name: 'Broken', query: 'actor:nobody-known' });
    await runWorker();
    const job = await get<RetagJobView>('/api/themes/broken/retag');
    expect(job.body.status).toBe('failed');
    expect(job.body.error).toMatch(/nobody-known/);
  });
});
