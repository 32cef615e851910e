import { appendFile, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import type { AssertionResult } from '../assert/types.ts';
import { writeFileAtomic } from '../data/index.ts';
import type { CaseResult, RunResult, SuiteResult } from '../runner/types.ts';
import { cleanText } from './clean-text.ts';
import { actualText, locationText, relPath, weakestStrata } from './file-text.ts';
import { alarmSummaryText, fmt, leftOutText } from './format.ts';
import type { Reporter } from '../runner/index.ts';
import { REPORT_FILES } from './report-files.ts';

/** Options of the markdown reporter. */
export interface MarkdownReporterOptions {
  /** File name inside the run's out dir, or an absolute path. Default `summary.md`. */
  readonly file?: string;
  /**
   * A file to append the same markdown to, or `false` for none. Default: `$GITHUB_STEP_SUMMARY`
   * when set, so that on GitHub Actions the summary shows on the job's page.
   */
  readonly stepSummary?: string | false;
  /** How many weakest strata to list per suite. Default 5. */
  readonly weakest?: number;
}

/**
 * Writes `summary.md`, a summary fit for a CI job page: a PASS/FAIL/ERROR headline with counts,
 * a table of the models per suite, the assertions (failed first), the baseline gates, and the
 * weakest strata in a collapsed block. Appends the same text to `$GITHUB_STEP_SUMMARY` when set.
 */
export function markdownReporter(options: MarkdownReporterOptions = {}): Reporter {
  let outDir = process.cwd();
  // The step summary's size before this run appended to it: the run ends twice when an error
  // came after the first rendering (core/run-end.ts), and the job page must show one summary.
  let stepStart: number | undefined;
  return {
    onInit(ctx) {
      outDir = ctx.outDir;
    },
    async onRunEnd({ result: run }) {
      const md = toMarkdown(run, { weakest: options.weakest ?? 5 });
      await writeFileAtomic(path.resolve(outDir, options.file ?? REPORT_FILES.markdown), md);
      const step =
        options.stepSummary === undefined
          ? process.env['GITHUB_STEP_SUMMARY']
          : options.stepSummary;
      // GitHub gives every step its own file and concatenates them: append, never replace
      // (but what this run appended before, replace).
      if (step) {
        if (stepStart === undefined) stepStart = await fileSize(step);
        else await truncate(step, stepStart);
        await appendFile(step, md + '\n');
      }
    },
  };
}

/** Bytes in `file`; 0 when it does not exist yet. */
async function fileSize(file: string): Promise<number> {
  return stat(file).then(
    (s) => s.size,
    (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? 0 : Promise.reject(err)),
  );
}

const VERDICT = { 0: '✅ PASS', 1: '❌ FAIL', 2: '⚠️ ERROR' } as const;
const MARK = { passed: '✅', failed: '❌', errored: '⚠️' } as const;
/** Failed first, then errored, then passed; suite order within each. */
const RANK = { failed: 0, errored: 1, passed: 2 } as const;

/** The run as GitHub-flavoured markdown. */
export function toMarkdown(run: RunResult, options: { readonly weakest?: number } = {}): string {
  const { assertions: a, cases, gates, durationMs, exitCode } = run.summary;
  const counts = [
    `**Assertions** ${a.passed} passed, ${a.failed} failed${a.errored > 0 ? `, ${a.errored} errored` : ''}`,
    ...(gates.passed + gates.failed > 0
      ? [`**Baseline gates** ${gates.passed} held, ${gates.failed} failed`]
      : []),
    `**Cases** ${cases.scored} scored${cases.errored > 0 ? `, ${cases.errored} errored` : ''}`,
    `**Suites** ${run.summary.suites}`,
    `${(durationMs / 1000).toFixed(1)} s`,
  ];
  const out = [
    `## ${VERDICT[exitCode]} · bess-harness`,
    '',
    counts.join(' · '),
    '',
    ...runErrorsBlock(run.errors ?? []),
    `<sub>harness ${inline(run.harnessVersion)} · seed ${inline(run.seed)} · started ${inline(run.startedAt)}</sub>`,
  ];
  for (const s of run.suites) out.push('', ...suiteSection(s, options.weakest ?? 5));
  return out.join('\n') + '\n';
}

/** The run's own errors (a reporter that failed, say), each one a reason for ⚠️ ERROR; none: nothing. */
function runErrorsBlock(errors: readonly string[]): string[] {
  if (errors.length === 0) return [];
  return [
    '**Harness errors** (the run exits 2 whatever the suites say)',
    '',
    ...errors.map((e) => `- ⚠️ ${inline(e)}`),
    '',
  ];
}

function suiteSection(s: SuiteResult, weakest: number): string[] {
  const ds = s.dataset;
  const split = !ds
    ? ''
    : ds.splitSources
      ? `trained on ${ds.splitSources.train} (${ds.train}), tested on ${ds.splitSources.test} (${ds.test})`
      : ds.folds
        ? `${ds.folds}-fold`
        : `${ds.train} train / ${ds.test} test`;
  const dsText = ds
    ? ` · ${inline(`${ds.kind} ${ds.name}`)} (${ds.systems} systems, ${split})`
    : '';
  const out = [
    `### ${inline(s.name)}`,
    '',
    `\`${code(relPath(s.file))}\`${dsText} · threshold: ${inline(s.threshold)}`,
    '',
  ];
  if (s.error !== undefined) out.push(`⚠️ **The suite could not run:** ${inline(s.error)}`, '');
  if (s.cases.length > 0) out.push(...caseTable(s.cases), '');
  const alarmLines = s.cases.flatMap((c) => {
    const text = alarmSummaryText(c);
    return text === undefined ? [] : [`- **${inline(c.model)}** ${inline(text)}`];
  });
  if (alarmLines.length > 0) out.push(...alarmLines, '');
  if (s.assertions.length > 0)
    out.push('**Assertions**', '', ...sortAssertions(s.assertions).map(assertionItem), '');
  if (s.leftOut) out.push(`⏭️ ${inline(leftOutText(s.leftOut))}`, '');
  if (s.baseline) {
    const b = s.baseline;
    out.push(
      `**Baseline** ${b.status === 'stale' ? '❌ ' : ''}${inline(b.message)} (\`${code(relPath(b.file))}\`)`,
      '',
    );
    if (b.gates.length > 0)
      out.push(
        ...b.gates.map((g) => `- ${g.state === 'passed' ? '✅' : '❌'} ${inline(g.message)}`),
        '',
      );
  }
  const weak = weakestStrata(s.cases, weakest);
  if (weak.length > 0) {
    out.push(
      '<details>',
      `<summary>Weakest strata (${weak.length})</summary>`,
      '',
      '| model | column | stratum | ROC AUC | anomalies | n |',
      '| --- | --- | --- | ---: | ---: | ---: |',
      ...weak.map((w) =>
        row([
          w.model,
          w.column,
          w.cell.stratum,
          fmt(w.auc),
          String(w.cell.positives),
          String(w.cell.n),
        ]),
      ),
      '',
      '</details>',
      '',
    );
  }
  while (out.at(-1) === '') out.pop();
  return out;
}

function caseTable(cases: readonly CaseResult[]): string[] {
  const level =
    cases
      .map((c) => (c.state === 'scored' ? c.summary.ci['roc_auc']?.level : undefined))
      .find((l) => l !== undefined) ?? 0.95;
  const lines = [
    `| model | ROC AUC [${Number((level * 100).toPrecision(4))} % CI] | AP | recall @ threshold | state |`,
    '| --- | ---: | ---: | ---: | --- |',
  ];
  for (const c of cases) {
    if (c.state === 'errored') {
      lines.push(row([c.model, '—', '—', '—', `⚠️ errored: ${c.error}`]));
      continue;
    }
    const m = c.summary.metrics;
    const ci = c.summary.ci['roc_auc'];
    const auc = `${fmt(m['roc_auc'])}${ci ? ` [${fmt(ci.low)}, ${fmt(ci.high)}]` : ''}`;
    lines.push(
      row([
        c.model,
        auc,
        fmt(m['average_precision']),
        `${fmt(m['recall'])} @ ${fmt(m['threshold'])}`,
        `✅ scored (n ${c.summary.n}, ${c.summary.positives} anomalies)`,
      ]),
    );
  }
  return lines;
}

function sortAssertions(list: readonly AssertionResult[]): AssertionResult[] {
  return [...list].sort((x, y) => RANK[x.state] - RANK[y.state] || x.id - y.id);
}

function assertionItem(a: AssertionResult): string {
  const where = a.state !== 'passed' ? locationText(a) : undefined;
  let line = `- ${MARK[a.state]} ${inline(a.message)}${where ? ` — \`${code(where)}\`` : ''}`;
  if (a.state !== 'passed')
    line += `<br>actual: ${inline(actualText(a.actual))} · expected: ${inline(a.expected)}`;
  const failedStrata = (a.strata ?? []).filter((st) => st.state === 'failed');
  for (const st of failedStrata)
    line += `\n  - ❌ ${inline(`${st.stratum}: ${st.reason ?? actualText(st.actual)}`)}`;
  return line;
}

/** One table row; every cell escaped. */
function row(cells: readonly string[]): string {
  return `| ${cells.map(cell).join(' | ')} |`;
}

/** Text for one line of markdown: no ANSI or control characters, no raw HTML, newlines as `<br>`. */
export function inline(s: string): string {
  return cleanText(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\n/g, '<br>');
}

/** Text for a table cell: `inline`, with `|` escaped so that it does not split the cell. */
export function cell(s: string): string {
  return inline(s).replace(/\|/g, '\\|');
}

/** Text inside a code span: one line, no backticks (a path rarely has one). */
function code(s: string): string {
  return cleanText(s).replace(/\n+/g, ' ').replace(/`/g, "'");
}
