import chalk from 'chalk';
import type { AssertionResult } from '../assert/types.ts';
import type { CaseResult, RunResult, SuiteResult } from '../runner/types.ts';
import { cleanText } from './clean-text.ts';
import { alarmSummaryText, fmt, leftOutText, rel, weakestStrata } from './format.ts';
import type { Reporter } from '../runner/index.ts';

/** Options of the plain reporter. */
export interface PlainReporterOptions {
  /** Where lines go. Default: process.stdout. */
  readonly write?: (text: string) => void;
  /** How many weakest strata to list per suite. Default 3. */
  readonly weakest?: number;
}

/**
 * One line per case and per assertion, then a summary: readable in a CI log, and the default
 * when stdout is not a terminal. chalk drops the colours by itself under NO_COLOR or a pipe.
 * Text from the run (a plugin's error, a model's name) is shown without its own escapes and
 * control characters (cleanText): they recoloured the terminal or rang its bell.
 */
export function plainReporter(options: PlainReporterOptions = {}): Reporter {
  const write = options.write ?? ((t: string) => void process.stdout.write(t));
  const weakest = options.weakest ?? 3;
  return {
    onSuiteCollected({ suites }) {
      write(chalk.bold(`harness run · ${suites.length} suite${suites.length === 1 ? '' : 's'}\n`));
    },
    onSuiteResult({ result: s }) {
      write(suiteBlock(s, weakest));
    },
    onRunEnd({ result: run }) {
      write(`\n${[...runErrorLines(run), summaryLine(run)].join('\n')}\n`);
    },
  };
}

/** A suite's block: header, one line per case and per assertion, baseline, weakest strata. */
export function suiteBlock(s: SuiteResult, weakest: number): string {
  const out: string[] = [''];
  out.push(suiteHeader(s));
  if (s.error) out.push(`  ${chalk.red('✗ suite could not run:')} ${cleanText(s.error)}`);
  const width = modelWidth(s.cases);
  for (const c of s.cases) {
    out.push(`  ${caseLine(c, width)}`);
    const alarms = falseAlarmLine(s, c, width);
    if (alarms) out.push(`  ${alarms}`);
    const gap = sourceGapLine(c, width);
    if (gap) out.push(`  ${gap}`);
    const warned = alarmLine(c, width);
    if (warned) out.push(`  ${warned}`);
  }
  for (const a of s.assertions) out.push(...assertionLines(a));
  if (s.leftOut) out.push(leftOutLine(s.leftOut));
  if (s.baseline) out.push(...baselineLines(s));
  const weak = weakestStrata(s.cases, weakest);
  if (weak.length > 0) out.push(chalk.dim(`  weakest strata: ${cleanText(weak.join(' · '))}`));
  return out.join('\n') + '\n';
}

/** The width of the widest model name of `cases`, as {@link caseLine} shows it. */
export function modelWidth(cases: readonly { readonly model: string }[]): number {
  return Math.max(0, ...cases.map((c) => cleanText(c.model).length));
}

/** The suite's name, then (dimmed) its file, dataset and split, and threshold. */
export function suiteHeader(s: SuiteResult): string {
  const ds = s.dataset;
  const bySource = ds?.splitSources;
  const split = bySource
    ? `trained on ${bySource.train} (${ds.train}), tested on ${bySource.test} (${ds.test})`
    : ds?.folds
      ? `${ds.folds}-fold, each system scored once`
      : `${ds?.train} train / ${ds?.test} test`;
  const dsText = ds
    ? ` · ${ds.kind} ${ds.name} (${ds.systems} systems: ${split}${ds.generated ? ', generated' : ''})`
    : '';
  return `${chalk.bold(cleanText(s.name))}${chalk.dim(cleanText(`  ${rel(s.file)}${dsText} · threshold: ${s.threshold}`))}`;
}

/** One case: `● model  roc_auc 0.843 [CI]  ap …  recall … @ threshold  n …`, or `✗ model  errored: …`. */
export function caseLine(c: CaseResult, width: number): string {
  const name = cleanText(c.model).padEnd(width);
  if (c.state === 'errored')
    return `${chalk.red('✗')} ${name}  ${chalk.red(`errored: ${cleanText(c.error)}`)}`;
  const m = c.summary.metrics;
  const ci = c.summary.ci['roc_auc'];
  const ciText = ci ? ` [${fmt(ci.low)}, ${fmt(ci.high)}]` : '';
  return (
    `${chalk.green('●')} ${name}  roc_auc ${fmt(m['roc_auc'])}${ciText}  ap ${fmt(m['average_precision'])}  ` +
    `recall ${fmt(m['recall'])} @ ${fmt(m['threshold'])}  ${chalk.dim(`n ${c.summary.n} (${c.summary.positives} anomalies)${c.cached ? ' (cached)' : ''}`)}`
  );
}

/**
 * Under a case of a sim-to-real suite: the false-alarm rate on the tested source's normals with
 * its Wilson CI, and ROC AUC's reason when it is undefined (a test set of healthy systems only):
 * `false alarms on real normals: fpr 0.083 [0.015, 0.354] (1 of 12) · roc_auc undefined: …`.
 */
export function falseAlarmLine(s: SuiteResult, c: CaseResult, width: number): string | undefined {
  const test = s.dataset?.splitSources?.test;
  if (!test || c.state !== 'scored') return undefined;
  const { summary } = c;
  const ci = summary.ci['fpr'];
  const ciText = ci ? ` [${fmt(ci.low)}, ${fmt(ci.high)}]` : '';
  const auc = summary.undefined['roc_auc'];
  return chalk.dim(
    `${' '.repeat(width + 2)}false alarms on ${test} normals: fpr ${fmt(summary.metrics['fpr'])}${ciText} ` +
      `(${summary.confusion.fp} of ${summary.negatives})${auc ? ` · roc_auc undefined: ${auc}` : ''}`,
  );
}

/** Under a case of a model with `scoreOverTime`: its alarm summary (format.ts alarmSummaryText), dimmed. */
export function alarmLine(c: CaseResult, width: number): string | undefined {
  const text = alarmSummaryText(c);
  return text === undefined ? undefined : chalk.dim(`${' '.repeat(width + 2)}${text}`);
}

/** `source gap: roc_auc synthetic 0.830 vs real 0.610 (−0.220)` under a case of a `compareSources` suite. */
export function sourceGapLine(c: CaseResult, width: number): string | undefined {
  if (c.state !== 'scored' || !c.sources) return undefined;
  const { synthetic, real, gap } = c.sources;
  const side = (name: string, v: typeof synthetic) =>
    v ? `${name} ${fmt(v.metrics.roc_auc)}` : `${name} (no systems)`;
  const g = gap.roc_auc;
  const gapText = g === null ? '' : ` (${g < 0 ? '−' : '+'}${fmt(Math.abs(g))})`;
  return chalk.dim(
    `${' '.repeat(width + 2)}source gap: roc_auc ${side('synthetic', synthetic)} vs ${side('real', real)}${gapText}`,
  );
}

export function leftOutLine(l: NonNullable<SuiteResult['leftOut']>): string {
  return chalk.yellow(`  – ${cleanText(leftOutText(l))}`);
}

/** An assertion as `✓`/`✗`/`!` and its message (with its location unless it passed), then its failed strata. */
export function assertionLines(a: AssertionResult): string[] {
  const mark =
    a.state === 'passed'
      ? chalk.green('✓')
      : a.state === 'failed'
        ? chalk.red('✗')
        : chalk.yellow('!');
  const where =
    a.location && a.state !== 'passed'
      ? chalk.dim(`  (${rel(a.location.file)}:${a.location.line}:${a.location.column})`)
      : '';
  const lines = [`  ${mark} ${cleanText(a.message)}${where}`];
  for (const s of a.strata ?? []) {
    if (s.state === 'failed')
      lines.push(
        `      ${chalk.red('✗')} ${cleanText(`${s.stratum}: ${s.reason ?? fmt(s.actual)}`)}`,
      );
  }
  return lines;
}

/** How the suite compared with its baseline: a head line, then one line per gate. Call only when `s.baseline` is set. */
export function baselineLines(s: SuiteResult): string[] {
  const b = s.baseline!;
  const head =
    b.status === 'stale'
      ? `  ${chalk.red('✗ baseline')} ${cleanText(b.message)}`
      : chalk.dim(`  baseline (${rel(b.file)}): ${cleanText(b.message)}`);
  return [
    head,
    ...b.gates.map(
      (g) =>
        `  ${g.state === 'passed' ? chalk.green('✓') : chalk.red('✗')} ${cleanText(g.message)}`,
    ),
  ];
}

/** One `✗ harness error: …` line per error of the run itself (a reporter that failed, say). */
export function runErrorLines(run: RunResult): string[] {
  return (run.errors ?? []).map((e) => `${chalk.red('✗ harness error:')} ${cleanText(e)}`);
}

/** `PASS|FAIL|ERROR  Assertions … · Baseline … · Cases … · Suites … · 1.2 s`. */
export function summaryLine(run: RunResult): string {
  const { assertions: a, cases, durationMs, exitCode } = run.summary;
  const parts = [
    `${a.passed} passed`,
    a.failed > 0 ? chalk.red(`${a.failed} failed`) : `${a.failed} failed`,
    ...(a.errored > 0 ? [chalk.yellow(`${a.errored} errored`)] : []),
  ];
  const g = run.summary.gates;
  const gateText =
    g.passed + g.failed > 0
      ? ` · Baseline ${g.passed} held${g.failed > 0 ? chalk.red(`, ${g.failed} failed`) : ''}`
      : '';
  const caseText = `${cases.scored} scored${cases.errored > 0 ? chalk.red(`, ${cases.errored} errored`) : ''}`;
  const verdict =
    exitCode === 0 ? chalk.green('PASS') : exitCode === 1 ? chalk.red('FAIL') : chalk.red('ERROR');
  const errors = run.errors?.length ?? 0;
  const errorText = errors > 0 ? ` · ${chalk.red(`Harness errors ${errors}`)}` : '';
  return `${chalk.bold(verdict)}  Assertions ${parts.join(', ')}${gateText} · Cases ${caseText} · Suites ${run.summary.suites}${errorText} · ${(durationMs / 1000).toFixed(1)} s`;
}
