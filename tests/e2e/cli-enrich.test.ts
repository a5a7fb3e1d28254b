/**
 * `narrative-monitor enrich`: JSON Lines in, enriched JSON Lines out, bad lines reported and skipped. Runs
 * `runEnrich` over in-memory streams, and the real command as a process once bin/cli.ts wires it.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEnrich } from '../../bin/commands/enrich.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(REPO, 'bin/narrative-monitor.js');
const WIRED = fs.readFileSync(path.join(REPO, 'bin/cli.ts'), 'utf8').includes('runEnrich');

const WATCHLIST = `
actors:
  - name: White Helmets
    type: organization
    aliases: [Syria Civil Defence, Белые каски, الخوذ البيضاء]
  - name: Russian Ministry of Defence
    id: russian-mod
    type: organization
    aliases: [Russia's Defense Ministry, Минобороны России]
themes:
  - name: Staged chemical attack
    query: (chlorine OR chemical) AND (staged OR provocation)
`;

const EN = {
  id: 'doc-1',
  title: 'Russia warns of staged chlorine attack',
  text: "Russia's Defense Ministry said the White Helmets were preparing a provocation in Idlib with chlorine. " +
    'President Emmanuel Macron spoke in Paris.',
};
const RU = { title: 'Белые каски готовят провокацию', text: 'Об этом сообщили в Минобороны России.', lang: 'ru' };

let dir: string;
let watchlistFile: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nm-cli-enrich-'));
  watchlistFile = path.join(dir, 'watchlist.yaml');
  fs.writeFileSync(watchlistFile, WATCHLIST);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function enrichLines(lines: string[], watchlistPath: string | null = watchlistFile) {
  const output = new PassThrough();
  const errors = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  output.on('data', (b: Buffer) => out.push(b));
  errors.on('data', (b: Buffer) => err.push(b));
  const code = await runEnrich({ input: Readable.from([lines.join('\n')]), output, errors, watchlistPath });
  return {
    code,
    records: Buffer.concat(out).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}

describe('runEnrich', () => {
  it('adds language, keywords, entities, actors and themes, keeping the input fields', async () => {
    const { code, records, stderr } = await enrichLines([JSON.stringify(EN), JSON.stringify(RU)]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(records).toHaveLength(2);
    const [en, ru] = records as [Record<string, any>, Record<string, any>];
    expect(en.id).toBe('doc-1');
    expect(en.language).toBe('en');
    expect(en.languageConfidence).toBeGreaterThan(0.3);
    expect(en.actors).toEqual(['white-helmets', 'russian-mod']);
    expect(en.themes).toEqual(['staged-chemical-attack']);
    expect(en.keywords).toContain('chlorine');
    expect(en.keywords).toContain('white helmets');
    // Text entities have offsets into text, title entities into title.
    for (const e of en.entities) expect(EN.text.slice(e.start, e.end)).toBe(e.text);
    for (const e of en.titleEntities) expect(EN.title.slice(e.start, e.end)).toBe(e.text);
    const pairs = en.entities.map((e: { text: string; type: string }) => `${e.text}/${e.type}`);
    expect(pairs).toEqual(expect.arrayContaining(['White Helmets/ORG', 'Idlib/LOC', 'Emmanuel Macron/PER', 'Paris/LOC']));
    expect(en.titleEntities.map((e: { text: string }) => e.text)).toEqual(['Russia']);
    expect(en.entities.find((e: { text: string }) => e.text === 'White Helmets').actorId).toBe('white-helmets');
    expect(ru.language).toBe('ru');
    expect(ru.languageConfidence).toBe(1);
    expect(ru.actors).toEqual(['white-helmets', 'russian-mod']);
    expect(ru.entities).toEqual([]);
  });

  it('reports bad lines with their number, skips them, still writes the rest and exits 1', async () => {
    const { code, records, stderr } = await enrichLines([
      JSON.stringify(EN),
      '{not json',
      '',
      JSON.stringify({ title: 42 }),
      JSON.stringify([1, 2]),
      JSON.stringify({ title: '', text: '' }),
      JSON.stringify(RU),
    ]);
    expect(code).toBe(1);
    expect(records.map((r) => r.language)).toEqual(['en', 'ru']);
    expect(stderr).toMatch(/line 2: invalid JSON/);
    expect(stderr).toMatch(/line 4: "title" must be a string/);
    expect(stderr).toMatch(/line 5: not a JSON object/);
    expect(stderr).toMatch(/line 6: needs a "title" or a "text"/);
    expect(stderr).not.toMatch(/line 3/);
  });

  it('works without a watchlist and refuses an unreadable one', async () => {
    const none = await enrichLines([JSON.stringify(EN)], null);
    expect(none.code).toBe(0);
    expect(none.records[0]?.actors).toEqual([]);
    expect(none.records[0]?.entities.length).toBeGreaterThan(2);
    const missing = await enrichLines([JSON.stringify(EN)], path.join(dir, 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot use watchlist/);
  });

  it('streams: 2,000 records through with output consumed as it comes', async () => {
    const input = Readable.from(
      (function* () {
        for (let i = 0; i < 2000; i++) yield `${JSON.stringify({ title: `Story ${i}`, text: `${EN.text} Number ${i}.` })}\n`;
      })(),
    );
    const output = new PassThrough({ highWaterMark: 1024 });
    let count = 0;
    let buffered = '';
    output.on('data', (b: Buffer) => {
      buffered += b.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      count += parts.length;
    });
    const code = await runEnrich({ input, output, errors: new PassThrough(), watchlistPath: watchlistFile });
    expect(code).toBe(0);
    expect(count).toBe(2000);
  }, 60_000);
});

describe.skipIf(!WIRED)('narrative-monitor enrich (process)', () => {
  it('reads a file argument and writes JSON Lines to stdout', async () => {
    const file = path.join(dir, 'in.jsonl');
    fs.writeFileSync(file, `${JSON.stringify(EN)}\nnot json\n${JSON.stringify(RU)}\n`);
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [CLI, 'enrich', file, '--watchlist', watchlistFile],
        { cwd: dir, env: { ...process.env, LOG_LEVEL: 'silent', DATA_DIR: dir } },
        (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
      );
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/line 2: invalid JSON/);
    const records = result.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { language: string; actors: string[] });
    expect(records.map((r) => r.language)).toEqual(['en', 'ru']);
    expect(records[0]?.actors).toEqual(['white-helmets', 'russian-mod']);
  }, 60_000);
});
