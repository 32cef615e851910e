import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { removeOtherReports, removeStaleReports } from '../../../src/core/stale-reports.ts';
import { renderPage } from '../../../src/report/html/index.ts';
import { resultsJsonText } from '../../../src/report/json.ts';
import { toJunitXml } from '../../../src/report/junit.ts';
import { toMarkdown } from '../../../src/report/markdown.ts';
import type { RunResult } from '../../../src/runner/types.ts';
import { writeRecordPointer } from '../../../src/track/index.ts';
import { tempDir } from '../../helpers/run-harness.ts';
import { buildRun, greenRun } from '../report/run-fixture.ts';

let dir: string;
let out: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('c-stale-'));
  out = path.join(dir, 'out');
});
beforeEach(() => rm(out, { recursive: true, force: true }));
afterAll(() => cleanup());

/** Every file below `root`, relative, sorted. */
async function tree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}

async function put(rel: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(out, rel)), { recursive: true });
  await writeFile(path.join(out, rel), text);
}

/** The texts the built-in reporters write for `run`, by kind. */
function reportTexts(run: RunResult) {
  return {
    json: resultsJsonText(run),
    junit: toJunitXml(run),
    markdown: toMarkdown(run),
    html: renderPage(run, { vega: '', vegaLite: '' }),
  };
}

/** Files of the user's own at the reports' names: a project's root given as `--out-dir .`. */
const OWN = {
  'results.json': '{ "accuracy": 0.93 }\n',
  'junit.xml': '<?xml version="1.0"?>\n<testsuites name="pytest"></testsuites>\n',
  'summary.md': '# Summary of the project\n\nOur notes.\n',
  'report/index.html': '<!doctype html>\n<html><head><title>Our site</title></head></html>\n',
  'run-record.json': '{ "schema": 1, "who": "us" }\n',
};

describe('removeStaleReports', () => {
  it.each([
    ['a green run', greenRun()],
    ['a run with failures, errors and hostile text', buildRun()],
  ])(
    'removes the reports of %s, there and where reporter options send them; nothing else, never a folder',
    async (_, run) => {
      const t = reportTexts(run);
      const reports = {
        'results.json': t.json,
        'junit.xml': t.junit,
        'summary.md': t.markdown,
        'report/index.html': t.html,
        'ci/junit.xml': t.junit,
        'web/index.html': t.html,
      };
      for (const [f, text] of Object.entries(reports)) await put(f, text);
      await writeRecordPointer(out, path.join(dir, 'runs', 'r1'), {
        runId: 'r1',
        startedAt: run.startedAt,
      });
      for (const f of ['notes.txt', 'report/logo.png', 'ci/other.xml']) await put(f, 'x');
      await mkdir(path.join(out, 'summary.md.d'));
      await removeStaleReports(out, [
        'plain',
        ['junit', { file: 'ci/junit.xml' }],
        ['html', { dir: 'web' }],
        './rep/mine.ts',
      ]);
      expect(await tree(out)).toEqual(['ci/other.xml', 'notes.txt', 'report/logo.png']);
    },
  );

  it("leaves files of the user's own at the reports' names", async () => {
    for (const [f, text] of Object.entries(OWN)) await put(f, text);
    await put('ci/junit.xml', OWN['junit.xml']);
    await removeStaleReports(out, [['junit', { file: 'ci/junit.xml' }]]);
    expect(await tree(out)).toEqual([...Object.keys(OWN), 'ci/junit.xml'].sort());
  });

  it('a missing out dir, or one that is a file, is left as it is', async () => {
    await removeStaleReports(path.join(dir, 'nowhere'), []);
    await writeFile(path.join(dir, 'a-file'), 'x');
    await removeStaleReports(path.join(dir, 'a-file'), []);
    expect(await readdir(dir)).toContain('a-file');
  });
});

describe('removeOtherReports', () => {
  it("removes the earlier run's reports this run will not write, and no file of the user's own", async () => {
    const t = reportTexts(greenRun());
    await put('results.json', t.json);
    await put('report/index.html', t.html);
    await put('summary.md', OWN['summary.md']);
    await put('junit.xml', OWN['junit.xml']);
    await removeOtherReports(out, ['plain', 'markdown']);
    expect(await tree(out)).toEqual(['junit.xml', 'summary.md']);
  });
});
