import { hostname as osHostname } from 'node:os';
import path from 'node:path';
import type { AssertionResult } from '../assert/types.ts';
import { writeFileAtomic } from '../data/index.ts';
import type { RunResult, SuiteResult } from '../runner/types.ts';
import {
  actualText,
  assertionNames,
  caseText,
  locationText,
  relPath,
  stripAnsi,
} from './file-text.ts';
import type { Reporter } from '../runner/index.ts';
import { leftOutText } from './format.ts';
import { REPORT_FILES } from './report-files.ts';

/** Options of the junit reporter. */
export interface JunitReporterOptions {
  /** File name inside the run's out dir, or an absolute path. Default `junit.xml`. */
  readonly file?: string;
  /** The `hostname` attribute of every `<testsuite>`. Default: this machine's name, or `localhost`. */
  readonly hostname?: string;
}

/**
 * Writes `junit.xml` for CI servers (Jenkins, GitLab, Azure, GitHub test-report actions). Each
 * suite is a `<testsuite>`; each assertion, crashed model case, baseline gate, and a suite that
 * could not run, is a `<testcase>`; the run's own errors, if any, are an errored testcase of a
 * `<testsuite name="bess-harness">`. Scored cases' metrics go to the suite's `<system-out>`.
 * The file validates against Jenkins' junit-10.xsd, and each `<testsuite>` against the strict
 * Ant schema (properties, testcase*, system-out, system-err; timestamp without a zone).
 */
export function junitReporter(options: JunitReporterOptions = {}): Reporter {
  let outDir = process.cwd();
  return {
    onInit(ctx) {
      outDir = ctx.outDir;
    },
    async onRunEnd({ result: run }) {
      const file = path.resolve(outDir, options.file ?? REPORT_FILES.junit);
      await writeFileAtomic(file, toJunitXml(run, { hostname: options.hostname }));
    },
  };
}

/** One `<testcase>`: at most one failure or error (the strict Ant schema allows no more). */
interface TestCase {
  readonly name: string;
  readonly timeS: number;
  readonly outcome?: {
    /** skipped: assertions `--model` left out (they checked nothing, and CI must see them). */
    readonly kind: 'failure' | 'error' | 'skipped';
    readonly type: string;
    readonly message: string;
    readonly detail: string;
  };
}

/** The run as a JUnit XML document. */
export function toJunitXml(
  run: RunResult,
  options: { readonly hostname?: string | undefined } = {},
): string {
  const host = xmlToken(options.hostname ?? safeHostname()) || 'localhost';
  const timestamp = junitTimestamp(run.startedAt);
  const blocks: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const s of run.suites) {
    const cases = suiteTestCases(s);
    const f = cases.filter((c) => c.outcome?.kind === 'failure').length;
    const e = cases.filter((c) => c.outcome?.kind === 'error').length;
    tests += cases.length;
    failures += f;
    errors += e;
    blocks.push(suiteXml(run, s, cases, { failures: f, errors: e, host, timestamp }));
  }
  if (run.errors && run.errors.length > 0) {
    tests += 1;
    errors += 1;
    blocks.push(runErrorsXml(run, run.errors, { host, timestamp }));
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="bess-harness" tests="${tests}" failures="${failures}" errors="${errors}" time="${seconds(run.summary.durationMs)}">\n` +
    blocks.join('') +
    `</testsuites>\n`
  );
}

function suiteXml(
  run: RunResult,
  s: SuiteResult,
  cases: readonly TestCase[],
  t: {
    readonly failures: number;
    readonly errors: number;
    readonly host: string;
    readonly timestamp: string;
  },
): string {
  const classname = xmlToken(s.name) || 'suite';
  const out: string[] = [
    `  <testsuite name="${attr(classname)}" tests="${cases.length}" failures="${t.failures}" errors="${t.errors}" skipped="${cases.filter((c) => c.outcome?.kind === 'skipped').length}" ` +
      `time="${seconds(s.durationMs)}" timestamp="${t.timestamp}" hostname="${attr(t.host)}">\n`,
    `    <properties>\n`,
  ];
  for (const [name, value] of suiteProperties(run, s))
    out.push(`      <property name="${attr(name)}" value="${attr(value)}"/>\n`);
  out.push(`    </properties>\n`);
  for (const c of cases) {
    const head = `    <testcase classname="${attr(classname)}" name="${attr(xmlToken(c.name) || 'unnamed')}" time="${seconds(c.timeS * 1000)}"`;
    if (!c.outcome) {
      out.push(`${head}/>\n`);
      continue;
    }
    const o = c.outcome;
    if (o.kind === 'skipped') {
      out.push(`${head}>\n      <skipped message="${attr(o.message)}"/>\n    </testcase>\n`);
      continue;
    }
    out.push(
      `${head}>\n      <${o.kind} message="${attr(o.message)}" type="${attr(o.type)}">${text(o.detail)}</${o.kind}>\n    </testcase>\n`,
    );
  }
  out.push(
    `    <system-out>${text(systemOut(s))}</system-out>\n`,
    `    <system-err></system-err>\n`,
    `  </testsuite>\n`,
  );
  return out.join('');
}

/**
 * The run's own errors (a reporter that failed, an exception from a timer) as a testsuite of
 * one errored testcase: a CI that reads only junit.xml must see the run fail as the CLI did.
 */
function runErrorsXml(
  run: RunResult,
  errors: readonly string[],
  t: { readonly host: string; readonly timestamp: string },
): string {
  const message =
    errors.length === 1 ? errors[0]! : `${errors.length} harness errors: ${errors[0]!} …`;
  return (
    `  <testsuite name="bess-harness" tests="1" failures="0" errors="1" skipped="0" time="0.000" timestamp="${t.timestamp}" hostname="${attr(t.host)}">\n` +
    `    <properties>\n` +
    `      <property name="harness_version" value="${attr(run.harnessVersion)}"/>\n` +
    `      <property name="seed" value="${attr(run.seed)}"/>\n` +
    `    </properties>\n` +
    `    <testcase classname="bess-harness" name="the run completes without harness errors" time="0.000">\n` +
    `      <error message="${attr(message)}" type="HarnessError">${text(errors.join('\n'))}</error>\n` +
    `    </testcase>\n` +
    `    <system-out></system-out>\n` +
    `    <system-err>${text(errors.join('\n'))}</system-err>\n` +
    `  </testsuite>\n`
  );
}

function suiteProperties(run: RunResult, s: SuiteResult): [string, string][] {
  const props: [string, string][] = [
    ['harness_version', run.harnessVersion],
    ['seed', run.seed],
    ['file', relPath(s.file)],
    ['threshold', s.threshold],
  ];
  if (s.dataset) {
    props.push(
      ['dataset', `${s.dataset.kind} ${s.dataset.name}`],
      ['dataset_hash', s.dataset.hash],
      ['systems', String(s.dataset.systems)],
    );
  }
  if (s.baseline) props.push(['baseline', `${s.baseline.status}: ${relPath(s.baseline.file)}`]);
  return props;
}

/** The suite's test cases, in a fixed order: could-not-run, crashed models, assertions, baseline gates. */
function suiteTestCases(s: SuiteResult): TestCase[] {
  const out: TestCase[] = [];
  if (s.error !== undefined) {
    out.push({
      name: 'suite runs',
      timeS: 0,
      outcome: {
        kind: 'error',
        type: 'SuiteError',
        message: s.error,
        detail: `${s.error}\nat ${relPath(s.file)}`,
      },
    });
  }
  for (const c of s.cases) {
    if (c.state !== 'errored') continue;
    out.push({
      name: `${c.model} scores every system`,
      timeS: 0,
      outcome: {
        kind: 'error',
        type: 'PluginError',
        message: c.error,
        detail: `${c.model}${c.version === null ? '' : ` v${c.version}`}: ${c.error}`,
      },
    });
  }
  const names = assertionNames(s.assertions);
  s.assertions.forEach((a, i) => out.push(assertionCase(a, names[i] ?? `assertion #${a.id}`)));
  if (s.leftOut) {
    const message = leftOutText(s.leftOut);
    out.push({
      name: 'assertions left out by --model',
      timeS: 0,
      outcome: { kind: 'skipped', type: 'LeftOut', message, detail: message },
    });
  }
  const b = s.baseline;
  if (b?.status === 'stale') {
    out.push({
      name: 'baseline matches the data',
      timeS: 0,
      outcome: {
        kind: 'failure',
        type: 'StaleBaseline',
        message: b.message,
        detail: `${b.message}\nbaseline: ${relPath(b.file)}`,
      },
    });
  }
  for (const g of b?.gates ?? []) {
    const name = `baseline ${g.model} roc_auc`;
    if (g.state === 'passed') {
      out.push({ name, timeS: 0 });
      continue;
    }
    const detail = [
      g.message,
      `actual: ${actualText(g.actual)}`,
      `baseline: ${actualText(g.baseline)}`,
      ...(g.pValue !== undefined ? [`p: ${g.pValue}`] : []),
    ];
    out.push({
      name,
      timeS: 0,
      outcome: {
        kind: 'failure',
        type: 'BaselineRegression',
        message: g.message,
        detail: detail.join('\n'),
      },
    });
  }
  return out;
}

function assertionCase(a: AssertionResult, name: string): TestCase {
  if (a.state === 'passed') return { name, timeS: 0 };
  const where = locationText(a);
  const lines = [a.message, `actual: ${actualText(a.actual)}`, `expected: ${a.expected}`];
  if (a.pValue !== undefined) lines.push(`p: ${a.pValue}`);
  for (const st of a.strata ?? []) {
    if (st.state === 'failed') lines.push(`  ${st.stratum}: ${st.reason ?? actualText(st.actual)}`);
  }
  if (where) lines.push(`at ${where}`);
  const kind = a.state === 'failed' ? 'failure' : 'error';
  return {
    name,
    timeS: 0,
    outcome: {
      kind,
      type: a.state === 'failed' ? 'AssertionFailed' : 'AssertionErrored',
      message: a.message,
      detail: lines.join('\n'),
    },
  };
}

function systemOut(s: SuiteResult): string {
  const lines = [`${s.name}  ${relPath(s.file)}  threshold: ${s.threshold}`];
  for (const c of s.cases) lines.push(`  ${caseText(c)}`);
  if (s.baseline) lines.push(`  baseline: ${s.baseline.message}`);
  return lines.join('\n') + '\n';
}

function safeHostname(): string {
  try {
    return osHostname();
  } catch {
    return 'localhost';
  }
}

/** Seconds with millisecond precision, as `xs:decimal` wants (no exponent, no sign). */
function seconds(ms: number): string {
  return Number.isFinite(ms) && ms > 0 ? (ms / 1000).toFixed(3) : '0.000';
}

/** ISO 8601 in UTC without the zone or fraction: the Ant schema's `timestamp` forbids both. */
export function junitTimestamp(iso: string): string {
  const d = new Date(iso);
  return (Number.isNaN(d.getTime()) ? new Date(0) : d).toISOString().slice(0, 19);
}

// Characters XML 1.0 allows: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
// With the `u` flag a lone surrogate is one code point in D800–DFFF, so it is removed too.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** `s` without ANSI escapes and without the characters XML 1.0 forbids. */
export function xmlSafe(s: string): string {
  return stripAnsi(s).replace(NOT_XML_CHAR, '');
}

/** Escapes element text. */
function text(s: string): string {
  return xmlSafe(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes an attribute value; tabs and newlines as references, else parsers turn them into spaces. */
function attr(s: string): string {
  return xmlSafe(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/** A value for an `xs:token` attribute (names): one line, single spaces, trimmed. */
function xmlToken(s: string): string {
  return xmlSafe(s).replace(/\s+/g, ' ').trim();
}
