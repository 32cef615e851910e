/**
 * Assertions `--model` left out (they name models that did not run) checked nothing: every
 * report says how many and which, not plain alone. A CI summary that showed only the assertions
 * checked read as a full pass.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/load-config.ts';
import { htmlReporter } from '../../../src/report/html/index.ts';
import { toJson } from '../../../src/report/json.ts';
import { toJunitXml } from '../../../src/report/junit.ts';
import { toMarkdown } from '../../../src/report/markdown.ts';
import type { RunResult } from '../../../src/runner/types.ts';
import { REPO_ROOT, tempDir } from '../../helpers/run-harness.ts';
import { schemaErrors } from '../../helpers/xml.ts';
import { buildRun } from './run-fixture.ts';

const TEXT = '2 assertions left out by --model: they name zscore, which did not run';

function withLeftOut(): RunResult {
  const run = buildRun();
  const [first, ...rest] = run.suites;
  return {
    ...run,
    suites: [{ ...first!, leftOut: { assertions: 2, models: ['zscore'] } }, ...rest],
  };
}

describe('assertions left out by --model, in every report', () => {
  const run = withLeftOut();
  let out: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    out = await tempDir('left-out-');
  });
  afterAll(async () => out.cleanup());

  it('results.json: the suite has left_out, and null when nothing was left out', () => {
    const json = toJson(run);
    expect(json.suites[0]!.left_out).toEqual({ assertions: 2, models: ['zscore'] });
    expect(toJson(buildRun()).suites.map((s) => s.left_out)).toEqual(
      buildRun().suites.map(() => null),
    );
  });

  it('junit.xml: a skipped testcase, counted as skipped, valid against both schemas', () => {
    const xml = toJunitXml(run, { hostname: 'ci' });
    const suite = /<testsuite [\s\S]*?<\/testsuite>/.exec(xml)![0];
    expect(suite).toMatch(/ skipped="1" /);
    expect(suite).toContain(
      `name="assertions left out by --model" time="0.000">\n      <skipped message="${TEXT}"/>`,
    );
    expect(schemaErrors(xml, path.join(REPO_ROOT, 'test/fixtures/junit-10.xsd'), 'l.xml')).toEqual(
      [],
    );
    expect(
      schemaErrors(
        `<?xml version="1.0" encoding="UTF-8"?>\n${suite}\n`,
        path.join(REPO_ROOT, 'test/fixtures/junit-ant-strict.xsd'),
      ),
    ).toEqual([]);
  });

  it('summary.md and the html page say it', async () => {
    expect(toMarkdown(run)).toContain(`⏭️ ${TEXT}`);
    const reporter = htmlReporter();
    await reporter.onInit?.({ config: resolveConfig({}, null, '/project'), outDir: out.dir });
    await reporter.onRunEnd?.({ result: run });
    const html = await readFile(path.join(out.dir, 'report', 'index.html'), 'utf8');
    expect(html).toContain(`<p class="dim" data-left-out>${TEXT}</p>`);
  });
});
