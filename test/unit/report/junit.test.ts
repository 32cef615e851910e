import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { junitReporter, junitTimestamp, toJunitXml, xmlSafe } from '../../../src/report/junit.ts';
import { REPO_ROOT, tempDir } from '../../helpers/run-harness.ts';
import {
  assertSchemaValid,
  schemaErrors,
  xpathDocument,
  type XPathDocument,
} from '../../helpers/xml.ts';
import { buildRun, CRASH_ERROR, NASTY_MODEL } from './run-fixture.ts';

// Jenkins' junit-10.xsd (jenkinsci/xunit-plugin) for the whole file, and the strict Ant schema
// (windyroad/JUnit-Schema JUnit.xsd) for each <testsuite>: see the headers of the two copies.
const JUNIT_10 = path.join(REPO_ROOT, 'test/fixtures/junit-10.xsd');
const ANT_STRICT = path.join(REPO_ROOT, 'test/fixtures/junit-ant-strict.xsd');

describe('junit reporter', () => {
  const run = buildRun();
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;
  let file = '';
  let xml = '';
  let doc: XPathDocument | undefined;
  const xpath = (expr: string): string => doc!.string(expr);
  const n = (expr: string): number => doc!.number(expr);

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('junit-'));
    const reporter = junitReporter({ hostname: 'ci-runner' });
    await reporter.onInit?.({ config: {} as never, outDir: dir });
    await reporter.onRunEnd?.({ result: run });
    file = path.join(dir, 'junit.xml');
    xml = await readFile(file, 'utf8');
    doc = xpathDocument(xml, file);
  });
  afterAll(async () => {
    doc?.dispose();
    await cleanup();
  });

  it('is well-formed and valid against junit-10.xsd', () => {
    expect(schemaErrors(xml, JUNIT_10, file)).toEqual([]);
  });

  it('every <testsuite> is valid against the strict Ant schema (element order, required attributes, zone-less timestamp)', async () => {
    const suites = xml.match(/<testsuite [\s\S]*?<\/testsuite>/g) ?? [];
    expect(suites).toHaveLength(run.suites.length);
    for (const [i, s] of suites.entries()) {
      expect(
        schemaErrors(
          `<?xml version="1.0" encoding="UTF-8"?>\n${s}\n`,
          ANT_STRICT,
          `suite-${i}.xml`,
        ),
      ).toEqual([]);
    }
  });

  it('counts add up: testsuites = Σ testsuite = the testcase, failure and error elements', () => {
    expect(n('count(//testcase)')).toBe(n('number(/testsuites/@tests)'));
    expect(n('count(//failure)')).toBe(n('number(/testsuites/@failures)'));
    expect(n('count(//error)')).toBe(n('number(/testsuites/@errors)'));
    expect(n('sum(//testsuite/@tests)')).toBe(n('number(/testsuites/@tests)'));
    expect(n('sum(//testsuite/@failures)')).toBe(n('number(/testsuites/@failures)'));
    expect(n('sum(//testsuite/@errors)')).toBe(n('number(/testsuites/@errors)'));
    for (const [i, s] of run.suites.entries()) {
      const at = `/testsuites/testsuite[${i + 1}]`;
      expect(xpath(`string(${at}/@name)`)).toBe(s.name);
      expect(n(`count(${at}/testcase)`)).toBe(n(`number(${at}/@tests)`));
      expect(n(`count(${at}/testcase/failure)`)).toBe(n(`number(${at}/@failures)`));
      expect(n(`count(${at}/testcase/error)`)).toBe(n(`number(${at}/@errors)`));
    }
    // The run's own counts: failures = failed assertions + failed gates (incl. a stale baseline);
    // errors = errored assertions + crashed cases + suites that could not run.
    const { assertions, gates, cases } = run.summary;
    expect(n('number(/testsuites/@failures)')).toBe(assertions.failed + gates.failed);
    expect(n('number(/testsuites/@errors)')).toBe(assertions.errored + cases.errored + 1);
    expect(n('number(/testsuites/@tests)')).toBe(
      assertions.passed +
        assertions.failed +
        assertions.errored +
        gates.passed +
        gates.failed +
        cases.errored +
        1,
    );
  });

  it('exactly one <failure type="AssertionFailed"> per failed assertion, with message, actual, expected and the suite line', () => {
    const failed = run.suites.flatMap((s) => s.assertions).filter((a) => a.state === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(n('count(//failure[@type="AssertionFailed"])')).toBe(failed.length);
    const a = failed[0]!;
    expect(xpath('string(//failure[@type="AssertionFailed"]/@message)')).toBe(a.message);
    const body = xpath('string(//failure[@type="AssertionFailed"])');
    expect(body).toContain(`expected: ${a.expected}`);
    expect(body).toContain(`actual: ${(a.actual as number).toFixed(3)}`);
    expect(body).toMatch(/at test\/unit\/report\/run-fixture\.ts:\d+:\d+/);
  });

  it('names assertions without measured numbers, so a test keeps its name from run to run', () => {
    const at = '//testsuite[@name="detectors"]/testcase';
    const names = Array.from({ length: n(`count(${at})`) }, (_, i) =>
      xpath(`string((${at})[${i + 1}]/@name)`),
    );
    expect(names).toEqual([
      'crashy scores every system',
      'good roc_auc > 0.7',
      'random roc_auc > 0.95',
      `we<ird> & "quoted" 'model' | red roc_auc > 0.5`,
      'good beats random on roc_auc (DeLong, alpha 0.05)',
      'crashy recall > 0.5',
      'baseline good roc_auc',
      'baseline random roc_auc',
    ]);
    expect(xml).not.toMatch(/testcase[^>]*name="[^"]*\d\.\d{3}/); // no measured value in any name
  });

  it('crashed cases, a suite that could not run, a failed gate and a stale baseline are test cases', () => {
    expect(xpath('string(//testcase[@name="crashy scores every system"]/error/@type)')).toBe(
      'PluginError',
    );
    expect(xpath('string(//testsuite[@name="broken"]/testcase/error/@type)')).toBe('SuiteError');
    expect(xpath('string(//testsuite[@name="broken"]/testcase/error/@message)')).toBe(
      'dataset "missing<fleet>" could not be loaded: ENOENT',
    );
    const gate = run.suites[0]!.baseline!.gates[0]!;
    expect(gate.state).toBe('failed');
    expect(xpath('string(//testcase[@name="baseline good roc_auc"]/failure/@type)')).toBe(
      'BaselineRegression',
    );
    expect(xpath('string(//testcase[@name="baseline good roc_auc"]/failure/@message)')).toBe(
      gate.message,
    );
    expect(xpath('string(//testsuite[@name="stale one"]//failure/@type)')).toBe('StaleBaseline');
  });

  it('escapes <&"\' and strips ANSI codes and control characters, in attributes and text', () => {
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(xml).not.toContain('[31m');
    const errored = run.suites[0]!.assertions.find((a) => a.message.includes('unknown model'))!;
    expect(errored.message).toContain(NASTY_MODEL); // the raw message carries the nasty name
    const msg = xpath(`string(//testcase[contains(@name, "roc_auc > 0.5")]/error/@message)`);
    expect(msg).toBe(errored.message.replace(/\u001b\[\d+m/g, ''));
    expect(msg).toContain(`we<ird> & "quoted" 'model'`);
    // A multi-line crash message keeps its newline inside the attribute (as &#10;).
    expect(xml).toContain(
      'missing | check the &quot;plugin&quot; &amp; its &apos;options&apos;&#10;second line',
    );
    expect(xpath('string(//testcase[@name="crashy scores every system"]/error/@message)')).toBe(
      CRASH_ERROR.replace(/\u001b\[\d+m/g, ''),
    );
  });

  it('writes scored cases to <system-out>, and timestamps without a zone', () => {
    const out = xpath('string(//testsuite[@name="detectors"]/system-out)');
    expect(out).toMatch(
      /good {2}roc_auc \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\] {2}ap \d\.\d{3} {2}recall \d\.\d{3} @ 0\.500/,
    );
    expect(out).toContain('crashy  errored: score(sys-0007)');
    expect(xpath('string(/testsuites/testsuite[1]/@timestamp)')).toBe('2025-06-01T12:34:56');
    expect(xpath('string(/testsuites/testsuite[1]/@hostname)')).toBe('ci-runner');
    expect(xpath('string(/testsuites/testsuite[1]/@time)')).toBe('1.234');
  });

  it('helpers: xmlSafe drops lone surrogates and U+FFFE; junitTimestamp survives a bad date', () => {
    expect(xmlSafe('a\uD800b\uFFFEc\u0007d\u{1F50B}')).toBe('abcd\u{1F50B}');
    expect(junitTimestamp('not a date')).toBe('1970-01-01T00:00:00');
  });

  it('an empty run is still a valid document', () => {
    expect(schemaErrors(toJunitXml({ ...run, suites: [] }), JUNIT_10, 'empty.xml')).toEqual([]);
  });
});

describe('the schema checks above (libxml2 via libxml2-wasm) reject invalid JUnit XML', () => {
  const xml = toJunitXml(buildRun());
  const firstSuite = xml.match(/<testsuite [\s\S]*?<\/testsuite>/)![0];

  it('accepts the reporter output it is given as the control', () => {
    expect(schemaErrors(xml, JUNIT_10)).toEqual([]);
    expect(schemaErrors(firstSuite, ANT_STRICT)).toEqual([]);
  });

  it('a <testsuite> without its required failures attribute', () => {
    const broken = xml.replace(/(<testsuite name="detectors"[^>]*?) failures="\d+"/, '$1');
    expect(broken).not.toBe(xml);
    expect(schemaErrors(broken, JUNIT_10)).toEqual([
      expect.stringMatching(
        /^junit\.xml:3: Element 'testsuite': The attribute 'failures' is required but missing\.$/,
      ),
    ]);
    expect(() => assertSchemaValid(broken, JUNIT_10)).toThrow(
      /junit\.xml fails to validate against .*junit-10\.xsd:\njunit\.xml:3: Element 'testsuite'/,
    );
  });

  it('an attribute the schema does not know', () => {
    const broken = xml.replace('<testcase ', '<testcase flaky="true" ');
    expect(schemaErrors(broken, JUNIT_10)).toEqual([
      expect.stringMatching(
        /^junit\.xml:\d+: Element 'testcase', attribute 'flaky': The attribute 'flaky' is not allowed\.$/,
      ),
    ]);
  });

  it('the strict Ant schema: a timestamp with a zone, and <system-err> before <system-out>', () => {
    const zoned = firstSuite.replace(/timestamp="([^"]*)"/, 'timestamp="$1Z"');
    expect(schemaErrors(zoned, ANT_STRICT)).toEqual([
      expect.stringContaining(
        `attribute 'timestamp': [facet 'pattern'] The value '2025-06-01T12:34:56Z' is not accepted by the pattern`,
      ),
    ]);
    const reordered = firstSuite.replace(
      /(<system-out>[\s\S]*?<\/system-out>)([\s\S]*?)(<\/testsuite>)/,
      '$2$1$3',
    );
    expect(reordered).not.toBe(firstSuite);
    expect(schemaErrors(reordered, ANT_STRICT)).toEqual([
      expect.stringContaining(`Element 'system-err': This element is not expected.`),
    ]);
  });

  it('a document that is not well-formed gives the parser errors', () => {
    const errors = schemaErrors(xml.replace('</testsuites>', ''), JUNIT_10);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(
      /Premature end of data in tag testsuites line 2|EndTag: '<\/' not found/,
    );
    expect(() => xpathDocument('<a><b></a>', 'x.xml')).toThrow(
      /x\.xml is not well-formed XML:\nx\.xml:1: Opening and ending tag mismatch: b line 1 and a/,
    );
  });
});
