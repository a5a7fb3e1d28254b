/**
 * The real `narrative-monitor` command: `feeds import`, `feeds health` (table and JSON Lines) and `feeds
 * export`, as separate processes over a temp-dir SQLite file. Nothing polls: feed URLs are IP literals
 * (no DNS) and no command here fetches anything.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOpml } from '../../core/opml.ts';
import { openSqliteStores } from '../../store/sqlite/open-database.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(REPO, 'bin/narrative-monitor.js');

const RT_URL = 'http://127.0.0.1:9/rt/news.xml';
const SPUTNIK_URL = 'http://127.0.0.1:9/sputnik/world.xml';
const REFUSED_URL = 'http://10.0.0.1/feed';

const IMPORT = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0" xmlns:nm="https://narrative-monitor.org/opml">
  <head><title>Syria coverage</title></head>
  <body>
    <outline text="State media">
      <outline text="Russia">
        <outline type="rss" text="RT News" xmlUrl="${RT_URL}" htmlUrl="https://www.rt.com" nm:outlet="RT" nm:outletId="rt" nm:country="RU" nm:tags="state-affiliated"/>
        <outline type="rss" text="Sputnik" xmlUrl="${SPUTNIK_URL}" language="ar"/>
      </outline>
    </outline>
    <outline type="rss" text="Intranet" xmlUrl="${REFUSED_URL}"/>
  </body>
</opml>
`;

let dir: string;
let dataDir: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          LOG_LEVEL: 'error',
          DATA_DIR: dataDir,
          WATCHLIST: path.join(dir, 'watchlist.yaml'),
          // Lets the 127.0.0.1 literals through the URL policy without opening private addresses in general.
          FEED_ALLOWLIST: '127.0.0.1',
        },
      },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nm-cli-feeds-'));
  dataDir = path.join(dir, 'data');
  fs.writeFileSync(path.join(dir, 'watchlist.yaml'), '');
  fs.writeFileSync(path.join(dir, 'import.opml'), IMPORT);
  fs.writeFileSync(path.join(dir, 'not-opml.opml'), '<html><body>Not found</body></html>');
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('narrative-monitor feeds import | health | export', () => {
  it('imports an OPML file, reporting the refused URL with its reason, and is idempotent', async () => {
    const first = await run('feeds', 'import', 'import.opml');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(1);
    const lines = first.stdout.trim().split('\n');
    expect(lines[0]).toBe('imported 2 feeds (0 already present) into 2 outlets (2 new); 1 refused');
    expect(lines[1]).toMatch(/^ {2}refused http:\/\/10\.0\.0\.1\/feed: 10\.0\.0\.1 is a private address/);

    const again = await run('feeds', 'import', path.join(dir, 'import.opml'));
    expect(again.stdout.split('\n')[0]).toBe('imported 0 feeds (2 already present) into 2 outlets (0 new); 1 refused');
  }, 30_000);

  it('shows health with the failing feed first, a summary line, and JSON Lines with --json', async () => {
    // Record a failure the way the poller would, straight into the same database file.
    const stores = openSqliteStores(path.join(dataDir, 'narrative-monitor.db'));
    const feeds = await stores.catalog.listFeeds();
    const sputnik = feeds.find((f) => f.url === SPUTNIK_URL)!;
    await stores.catalog.recordFeedOutcome(sputnik.id, {
      status: 'error',
      at: new Date('2018-02-20T11:00:00.000Z'),
      nextCheckAt: new Date('2018-02-20T13:00:00.000Z'),
      httpStatus: 404,
      errorCode: 'http_404',
      errorMessage: 'fetch-feed: 404 from 127.0.0.1',
    });
    await stores.close();

    const table = await run('feeds', 'health');
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^STATE\s+OUTLET\s+HTTP\s+FAILS\s+LAST ERROR\s+LAST SUCCESS\s+NEXT CHECK\s+ART\/DAY\s+ARTICLES\s+URL$/);
    expect(lines[1]).toMatch(/^error\s+Sputnik\s+404\s+1\s+http_404: fetch-feed: 404 from 127\.0\.0\.1\s+-\s+2018-02-20 13:00\s+0\.0\s+0\s+http:\/\/127\.0\.0\.1:9\/sputnik\/world\.xml$/);
    expect(lines[2]).toMatch(/^new\s+RT\s+-\s+0\s+-\s+/);
    expect(lines[3]).toBe('2 feeds: 0 ok, 1 failing, 0 gone, 1 new (times UTC)');

    const list = await run('feeds', 'list', '--json');
    expect(list.code).toBe(0);
    const rows = list.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => [r.url, r.outletName, r.lastStatus, r.lastHttpStatus, r.lastErrorCode])).toEqual([
      [SPUTNIK_URL, 'Sputnik', 'error', 404, 'http_404'],
      [RT_URL, 'RT', 'new', null, null],
    ]);
  }, 30_000);

  it('exports OPML to stdout and to a file, with outlets, folders and tags preserved', async () => {
    const out = await run('feeds', 'export');
    expect(out.code).toBe(0);
    expect(out.stdout.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0"')).toBe(true);
    const parsed = parseOpml(out.stdout);
    expect(parsed.outlets).toEqual([
      { id: 'rt', name: 'RT', homepage: 'https://www.rt.com', country: 'RU', tags: ['State media/Russia', 'state-affiliated'], feeds: [RT_URL] },
      { id: 'sputnik', name: 'Sputnik', language: 'ar', tags: ['State media/Russia'], feeds: [SPUTNIK_URL] },
    ]);

    const toFile = await run('feeds', 'export', 'out.opml');
    expect(toFile.code).toBe(0);
    expect(toFile.stdout).toBe('exported 2 feeds to out.opml\n');
    const withoutDate = (xml: string): string => xml.replace(/<dateCreated>[^<]*<\/dateCreated>/, '');
    expect(withoutDate(fs.readFileSync(path.join(dir, 'out.opml'), 'utf8'))).toBe(withoutDate(out.stdout));
  }, 30_000);

  it('fails clearly for a missing file and for a file that is not OPML', async () => {
    const missing = await run('feeds', 'import', 'missing.opml');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('feeds import: cannot read missing.opml (ENOENT)');
    const notOpml = await run('feeds', 'import', 'not-opml.opml');
    expect(notOpml.code).toBe(1);
    expect(notOpml.stderr).toContain('opml: the root element is <html>, not <opml>');
    const usage = await run('feeds', 'import');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('feeds import <file.opml>');
  }, 30_000);
});
