/**
 * GET /api/export: CSV and JSON Lines downloads of a whole result set, with the citation metadata first, RFC 4180
 * quoting, the spreadsheet-formula guard, streaming across the store's keyset pages, and 400s before any byte.
 * The CSV is read back with the small RFC 4180 parser below, not with the code that wrote it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QueryNode } from '../../core/query/ast.ts';
import type { EnrichedArticle } from '../../core/types.ts';
import { createApp } from '../../dashboard/api/app.ts';
import type { ErrorResponse } from '../../dashboard/api/schemas.ts';
import type { ExportOptions, ExportRow } from '../../store/article-store.ts';
import { ARTICLES, FIXED_NOW, makeArticle, setupApi, type TestEnv } from './api-fixtures.ts';

let env: TestEnv;
beforeEach(async () => {
  env = await setupApi();
});
afterEach(async () => {
  await env.cleanup();
});

/** RFC 4180 records: quoted fields may hold commas, CRLF and doubled quotes. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field !== '' || record.length > 0) throw new Error('csv: last record has no CRLF');
  return records;
}

const COLUMNS = ['id', 'date', 'dateIsFallback', 'publishedAt', 'firstSeenAt', 'outlet', 'outletName', 'language', 'title', 'url', 'actors', 'themes', 'keywords', 'clusterId'];
const byDateDesc = (a: EnrichedArticle, b: EnrichedArticle): number => {
  const d = Date.parse(b.publishedAt ?? b.firstSeenAt) - Date.parse(a.publishedAt ?? a.firstSeenAt);
  return d || (a.id < b.id ? 1 : -1);
};

describe('GET /api/export as CSV', () => {
  it('records query, filters, time, total and software, then a header and one record per hit in date order', async () => {
    const res = await env.app.request('/api/export?format=csv&q=syria&from=2018-02-01&collection=state-affiliated');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="narrative-monitor-export-20180301T120000Z.csv"');
    const text = await res.text();
    const lines = text.split('\r\n');
    expect(lines.slice(0, 6)).toEqual([
      '# Narrative Monitor search export',
      '# query: syria',
      '# filters: {"from":"2018-02-01","collection":["state-affiliated"]}',
      `# exportedAt: ${FIXED_NOW.toISOString()}`,
      '# total: 2',
      '# software: narrative-monitor 0.1.0',
    ]);
    const records = parseCsv(lines.slice(6).join('\r\n'));
    expect(records[0]).toEqual(COLUMNS);
    const expected = ARTICLES.filter((a) => a.outletId === 'rt').sort(byDateDesc);
    expect(records.slice(1).map((r) => r[0])).toEqual(expected.map((a) => a.id));
    const staged = ARTICLES[0] as EnrichedArticle;
    expect(records.find((r) => r[0] === staged.id)).toEqual([
      staged.id, '2018-02-05T10:00:00.000Z', 'false', staged.publishedAt, staged.firstSeenAt, 'rt', 'RT', 'en', staged.title,
      staged.url, 'white-helmets', 'chemical', 'chemical; syria', staged.id,
    ]);
  });

  it('quotes per RFC 4180 and guards cells that a spreadsheet would run as formulas', async () => {
    const hostile = makeArticle({
      slug: 'hostile',
      title: '=HYPERLINK("http://evil.example","click"), then "more"',
      text: 'Nothing to see.',
      outletId: 'bbc',
      publishedAt: '2018-02-25T00:00:00.000Z',
      keywords: ['-2+3', '@cmd', 'plain'],
    });
    const plus = makeArticle({ slug: 'plus', title: '+1 line\r\nbreak and, comma', text: 'x', outletId: 'bbc', publishedAt: '2018-02-24T00:00:00.000Z' });
    await env.stores.articles.insertArticles([{ article: hostile, alertIds: [] }, { article: plus, alertIds: [] }], FIXED_NOW);
    const text = await (await env.app.request('/api/export?format=csv&outlet=bbc&from=2018-02-24')).text();
    const records = parseCsv(text.split('\r\n').slice(6).join('\r\n'));
    expect(records).toHaveLength(3);
    const [, first, second] = records;
    expect(first?.[0]).toBe(hostile.id);
    expect(first?.[8]).toBe(`'=HYPERLINK("http://evil.example","click"), then "more"`);
    // The list cell starts with "-": guarded as a whole.
    expect(first?.[12]).toBe("'-2+3; @cmd; plain");
    expect(second?.[8]).toBe("'+1 line\r\nbreak and, comma");
    // The raw text has the quotes doubled inside a quoted field.
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""click""), then ""more"""`);
  });

  it('keeps the metadata on single lines even when the query has line breaks', async () => {
    const res = await env.app.request(`/api/export?format=csv&q=${encodeURIComponent('syria\r\nOR\nhelmets')}`);
    expect(res.status).toBe(200);
    const lines = (await res.text()).split('\r\n');
    expect(lines[1]).toBe('# query: syria  OR helmets');
    expect(lines[4]).toBe('# total: 4');
    expect(lines[6]?.startsWith('id,date,')).toBe(true);
  });
});

describe('GET /api/export as JSON Lines', () => {
  it('starts with a _meta line and has one JSON object per hit, arrays kept', async () => {
    const res = await env.app.request('/api/export?format=jsonl&actor=White%20Helmets');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="narrative-monitor-export-20180301T120000Z.jsonl"');
    const lines = (await res.text()).split('\n');
    expect(lines.pop()).toBe('');
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      _meta: { query: '', filters: { actor: ['white-helmets'] }, exportedAt: FIXED_NOW.toISOString(), total: 2, software: 'narrative-monitor 0.1.0' },
    });
    const rows = lines.slice(1).map((l) => JSON.parse(l) as Record<string, unknown>);
    const expected = ARTICLES.filter((a) => a.actors.includes('white-helmets')).sort(byDateDesc);
    expect(rows.map((r) => r.id)).toEqual(expected.map((a) => a.id));
    const undated = ARTICLES[3] as EnrichedArticle;
    expect(rows.find((r) => r.id === undated.id)).toEqual({
      id: undated.id, date: undated.firstSeenAt, dateIsFallback: true, publishedAt: null, firstSeenAt: undated.firstSeenAt,
      outlet: 'bbc', outletName: 'BBC News', language: 'en', title: undated.title, url: undated.url,
      actors: ['white-helmets'], themes: [], keywords: [], clusterId: undated.id,
    });
    expect(Object.keys(rows[0] ?? {})).toEqual(COLUMNS);
  });
});

describe('GET /api/export streaming', () => {
  const many = Array.from({ length: 2500 }, (_, i) =>
    makeArticle({
      slug: `bulk-${i}`,
      title: `Bulk report number ${i}`,
      text: `Routine bulletin ${i} about the harbour.`,
      outletId: i % 2 ? 'rt' : 'bbc',
      // Several articles per instant: the keyset must break ties by id across page boundaries.
      publishedAt: new Date(Date.UTC(2018, 0, 1) + Math.floor(i / 3) * 60_000).toISOString(),
    }),
  );

  it('exports every hit exactly once, in date order, across the store pages of 1000', async () => {
    await env.stores.articles.insertArticles(many.map((article) => ({ article, alertIds: [] })), FIXED_NOW);
    const text = await (await env.app.request('/api/export?format=jsonl&q=bulletin')).text();
    const lines = text.trimEnd().split('\n');
    expect((JSON.parse(lines[0] ?? '') as { _meta: { total: number } })._meta.total).toBe(2500);
    const ids = lines.slice(1).map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids).toEqual([...many].sort(byDateDesc).map((a) => a.id));
  });

  it('reads the store only as the client reads, and stops the walk when the client goes away', async () => {
    await env.stores.articles.insertArticles(many.map((article) => ({ article, alertIds: [] })), FIXED_NOW);
    let pulled = 0;
    let finished = false;
    const real = env.stores.articles;
    const counting = {
      ...real,
      exportArticles: (query: QueryNode, options: ExportOptions): AsyncIterable<ExportRow> => ({
        async *[Symbol.asyncIterator]() {
          try {
            for await (const row of real.exportArticles(query, options)) {
              pulled++;
              yield row;
            }
          } finally {
            finished = true;
          }
        },
      }),
    };
    const app = createApp({ ...env.deps, articles: counting });
    const res = await app.request('/api/export?format=csv');
    const reader = res.body?.getReader();
    if (!reader) throw new Error('no body');
    const first = await reader.read();
    expect(first.done).toBe(false);
    expect(pulled).toBeLessThan(1000);
    await reader.cancel();
    expect(finished).toBe(true);
    expect(pulled).toBeLessThan(2504);
  });
});

describe('GET /api/export errors', () => {
  it.each([
    ['format=xlsx', 'invalid_request', 'format'],
    ['from=yesterday', 'invalid_request', 'from'],
    ['actor=nobody', 'unknown_actor', 'actor'],
    ['outlet=nowhere', 'unknown_outlet', 'outlet'],
  ])('400 as JSON for %s, before any download starts', async (qs, code, param) => {
    const res = await env.app.request(`/api/export?${qs}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-disposition')).toBeNull();
    expect(((await res.json()) as ErrorResponse).error).toMatchObject({ code, param });
  });

  it('400 with the position for a query syntax error', async () => {
    const res = await env.app.request(`/api/export?format=csv&q=${encodeURIComponent('white AND')}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorResponse;
    expect(body.error.param).toBe('q');
    expect(typeof body.error.position).toBe('number');
  });
});
