import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/load-config.ts';
import { withRunErrors } from '../../../src/core/run-end.ts';
import { htmlReporter } from '../../../src/report/html/index.ts';
import { toJson } from '../../../src/report/json.ts';
import { toJunitXml } from '../../../src/report/junit.ts';
import { markdownReporter, toMarkdown } from '../../../src/report/markdown.ts';
import { plainReporter } from '../../../src/report/plain.ts';
import { REPO_ROOT, tempDir } from '../../helpers/run-harness.ts';
import { schemaErrors } from '../../helpers/xml.ts';
import { greenRun } from './run-fixture.ts';

// A run whose suites all held but that errored itself (a reporter failed, a timer threw): every
// report must say exit 2, or a CI reading only one of them sees a green run the CLI failed.

const JUNIT_10 = path.join(REPO_ROOT, 'test/fixtures/junit-10.xsd');
const ANT_STRICT = path.join(REPO_ROOT, 'test/fixtures/junit-ant-strict.xsd');
const ERRORS = [
  'reporter "junit" failed in onRunEnd: EISDIR: <junit.xml> & "more"',
  'an uncaught exception outside any plugin call: stray boom',
];
const run = withRunErrors(greenRun(), ERRORS);

describe('the run’s own errors in the reports', () => {
  let out: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    out = await tempDir('run-errors-');
  });
  afterAll(async () => out.cleanup());

  it('results.json: exitCode 2 and the errors', () => {
    const json = toJson(run);
    expect(json.summary.exitCode).toBe(2);
    expect(json.errors).toEqual(ERRORS);
    expect(toJson(greenRun()).errors).toEqual([]);
  });

  it('junit.xml: an errored testcase of a bess-harness testsuite, valid against both schemas', () => {
    const xml = toJunitXml(run, { hostname: 'ci' });
    expect(xml).toMatch(/<testsuites name="bess-harness" tests="1" failures="0" errors="1" /);
    expect(xml).toContain(
      '<testcase classname="bess-harness" name="the run completes without harness errors"',
    );
    expect(xml).toContain(
      'type="HarnessError">reporter "junit" failed in onRunEnd: EISDIR: &lt;junit.xml&gt; &amp; "more"\nan uncaught',
    );
    expect(schemaErrors(xml, JUNIT_10, 'errors.xml')).toEqual([]);
    const suite = /<testsuite [\s\S]*?<\/testsuite>/.exec(xml)![0];
    expect(schemaErrors(`<?xml version="1.0" encoding="UTF-8"?>\n${suite}\n`, ANT_STRICT)).toEqual(
      [],
    );
    expect(toJunitXml(greenRun())).not.toContain('without harness errors');
    expect(toJunitXml(greenRun())).toMatch(/tests="0" failures="0" errors="0"/);
  });

  it('summary.md: ⚠️ ERROR and the errors listed', () => {
    const md = toMarkdown(run);
    expect(md).toMatch(/^## ⚠️ ERROR · bess-harness\n/);
    expect(md).toContain('**Harness errors** (the run exits 2 whatever the suites say)');
    expect(md).toContain(
      '- ⚠️ reporter "junit" failed in onRunEnd: EISDIR: &lt;junit.xml&gt; &amp; "more"',
    );
    expect(toMarkdown(greenRun())).not.toContain('Harness errors');
  });

  it('plain: a line per error, then ERROR and their count', async () => {
    let text = '';
    await plainReporter({ write: (t) => void (text += t) }).onRunEnd?.({ result: run });
    expect(text.trim().split('\n')).toEqual([
      `✗ harness error: ${ERRORS[0]}`,
      `✗ harness error: ${ERRORS[1]}`,
      'ERROR  Assertions 0 passed, 0 failed · Cases 0 scored · Suites 0 · Harness errors 2 · 1.2 s',
    ]);
  });

  it('html: the ERROR badge and the errors', async () => {
    const reporter = htmlReporter();
    await reporter.onInit?.({ config: resolveConfig({}, null, '/project'), outDir: out.dir });
    await reporter.onRunEnd?.({ result: run });
    const html = await readFile(path.join(out.dir, 'report', 'index.html'), 'utf8');
    expect(html).toContain('data-verdict="error">ERROR<');
    expect(html).toContain(
      '<li class="error-text" data-run-error>an uncaught exception outside any plugin call: stray boom</li>',
    );
  });

  it('markdown rendered again replaces what it appended to the step summary, not adds to it', async () => {
    const step = path.join(out.dir, 'step.md');
    await writeFile(step, '# an earlier step\n');
    const reporter = markdownReporter({ stepSummary: step });
    await reporter.onInit?.({ config: {} as never, outDir: out.dir });
    await reporter.onRunEnd?.({ result: greenRun() });
    await reporter.onRunEnd?.({ result: run });
    const text = await readFile(step, 'utf8');
    expect(text).toBe(`# an earlier step\n${toMarkdown(run)}\n`);
  });
});
