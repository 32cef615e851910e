/**
 * The HTML report's template: a pure function from a run (and the vega builds) to one
 * self-contained page. Every string from the run is escaped with {@link escapeHtml}; chart specs
 * sit in `<script type="application/json">` blocks written by {@link jsonForScript}.
 */
import path from 'node:path';
import type { AssertionResult } from '../../assert/types.ts';
import type { CaseResult, RunResult, SuiteResult } from '../../runner/types.ts';
import type { VegaScripts } from './assets.ts';
import { alarmsSection } from './alarms.ts';
import { caseCharts, suiteLabelCharts, type ReportChart, type ScoredCase } from './charts.ts';
import { CLIENT_SCRIPT } from './client.ts';
import { escapeHtml as h, inlineScript, jsonForScript } from './escape.ts';
import { leftOutText } from '../format.ts';

/** Options of {@link renderPage}. */
export interface PageOptions {
  /** Suite files are shown relative to this folder (the project root) when they lie below it. */
  readonly root?: string;
}

type Verdict = 'pass' | 'fail' | 'error';

const VERDICT_TEXT: Readonly<Record<Verdict, string>> = {
  pass: 'PASS',
  fail: 'FAIL',
  error: 'ERROR',
};

/** A metric for a table cell: 3 decimals, or `—` when it is undefined. */
const num = (v: number | null | undefined, d = 3): string =>
  v === null || v === undefined ? '—' : v.toFixed(d);

/** `850 ms`, `12.3 s`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

function runVerdict(run: RunResult): Verdict {
  return run.summary.exitCode === 0 ? 'pass' : run.summary.exitCode === 1 ? 'fail' : 'error';
}

/** A suite errors when it could not run or a case or assertion errored; it fails when an assertion or gate failed. */
export function suiteVerdict(s: SuiteResult): Verdict {
  if (
    s.error !== undefined ||
    s.cases.some((c) => c.state === 'errored') ||
    s.assertions.some((a) => a.state === 'errored')
  )
    return 'error';
  if (
    s.assertions.some((a) => a.state === 'failed') ||
    s.baseline?.gates.some((g) => g.state === 'failed') ||
    s.baseline?.status === 'stale'
  )
    return 'fail';
  return 'pass';
}

const ASSERTION_ORDER: Readonly<Record<AssertionResult['state'], number>> = {
  failed: 0,
  errored: 1,
  passed: 2,
};
const ASSERTION_MARK: Readonly<Record<AssertionResult['state'], string>> = {
  passed: '✓',
  failed: '✗',
  errored: '!',
};

/** Failed first, then errored, then passed; in suite order within each. */
export function assertionsInReportOrder(list: readonly AssertionResult[]): AssertionResult[] {
  return [...list].sort(
    (a, b) => ASSERTION_ORDER[a.state] - ASSERTION_ORDER[b.state] || a.id - b.id,
  );
}

function relPath(file: string, root: string | undefined): string {
  if (root === undefined) return file;
  const r = path.relative(root, file);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : file;
}

// ---- pieces ------------------------------------------------------------------------------

function header(run: RunResult): string {
  const v = runVerdict(run);
  const { summary: s } = run;
  const facts: [string, string][] = [
    ['Suites', String(s.suites)],
    ['Cases', `${s.cases.scored} scored · ${s.cases.errored} errored`],
    [
      'Assertions',
      `${s.assertions.passed} passed · ${s.assertions.failed} failed · ${s.assertions.errored} errored`,
    ],
    ...(s.gates.passed + s.gates.failed > 0
      ? [
          ['Baseline gates', `${s.gates.passed} passed · ${s.gates.failed} failed`] as [
            string,
            string,
          ],
        ]
      : []),
    ['Time', formatDuration(s.durationMs)],
    ['Started', run.startedAt],
    ['Harness', run.harnessVersion],
    ['Seed', run.seed],
  ];
  const toc = run.suites
    .map(
      (suite, i) =>
        `<li><a href="#suite-${i}"><span class="badge ${suiteVerdict(suite)}">${VERDICT_TEXT[suiteVerdict(suite)]}</span> ${h(suite.name)}</a></li>`,
    )
    .join('');
  return `<header class="run">
<h1><span class="badge ${v}" data-verdict="${v}">${VERDICT_TEXT[v]}</span> bess-harness run</h1>
<dl class="facts">${facts.map(([k, val]) => `<div><dt>${h(k)}</dt><dd>${h(val)}</dd></div>`).join('')}</dl>
${runErrorsBlock(run.errors ?? [])}
${toc ? `<nav><ol class="toc">${toc}</ol></nav>` : ''}
</header>`;
}

/** The run's own errors (a reporter that failed, an exception from a timer): why it is ERROR whatever the suites say. */
function runErrorsBlock(errors: readonly string[]): string {
  if (errors.length === 0) return '';
  return `<section class="run-errors"><h2>Harness errors</h2><ul>${errors.map((e) => `<li class="error-text" data-run-error>${h(e)}</li>`).join('')}</ul></section>`;
}

function datasetText(s: SuiteResult): string {
  const ds = s.dataset;
  if (!ds) return 'no dataset';
  const split = ds.splitSources
    ? `trained on ${ds.splitSources.train} (${ds.train}), tested on ${ds.splitSources.test} (${ds.test})`
    : ds.folds !== undefined
      ? `${ds.folds}-fold, each system scored once`
      : `${ds.train} train / ${ds.test} test`;
  return `${ds.kind} ${ds.name} · ${ds.systems} systems (${split}${ds.generated ? ', generated' : ''}) · ${ds.hash.slice(0, 12)}`;
}

function assertionItem(a: AssertionResult, root: string | undefined): string {
  const where =
    a.location && a.state !== 'passed'
      ? ` <span class="where">${h(`${relPath(a.location.file, root)}:${a.location.line}:${a.location.column}`)}</span>`
      : '';
  const p =
    a.pValue !== undefined ? ` <span class="dim">p = ${h(a.pValue.toPrecision(3))}</span>` : '';
  const strata = (a.strata ?? []).filter((s) => s.state === 'failed');
  const strataList = strata.length
    ? `<ul class="strata">${strata.map((s) => `<li>✗ ${h(s.stratum)}: ${h(s.reason ?? num(s.actual))}</li>`).join('')}</ul>`
    : '';
  return `<li class="assertion ${a.state}" data-state="${a.state}"><span class="mark">${ASSERTION_MARK[a.state]}</span> <span class="msg">${h(a.message)}</span> <span class="dim">expected ${h(a.expected)}</span>${p}${where}${strataList}</li>`;
}

function assertionsBlock(s: SuiteResult, root: string | undefined): string {
  const leftOut = s.leftOut ? `<p class="dim" data-left-out>${h(leftOutText(s.leftOut))}</p>` : '';
  if (s.assertions.length === 0) return `<p class="dim">No assertions.</p>${leftOut}`;
  return `<ul class="assertions">${assertionsInReportOrder(s.assertions)
    .map((a) => assertionItem(a, root))
    .join('')}</ul>${leftOut}`;
}

function baselineBlock(s: SuiteResult): string {
  const b = s.baseline;
  if (!b) return '';
  const gates = b.gates
    .map(
      (g) =>
        `<li class="assertion ${g.state}"><span class="mark">${g.state === 'passed' ? '✓' : '✗'}</span> ${h(g.message)}</li>`,
    )
    .join('');
  return `<h3>Baseline</h3><p class="dim">${h(`${b.status}: ${b.message}`)}</p>${gates ? `<ul class="assertions">${gates}</ul>` : ''}`;
}

/** A metric cell, with the reason as a tooltip when it is undefined. */
function metricCell(c: ScoredCase, metric: string, text: string): string {
  const why = c.summary.undefined[metric];
  return `<td class="num"${why ? ` title="${h(why)}"` : ''}>${h(text)}</td>`;
}

function modelRow(c: CaseResult): string {
  const version = c.version !== null ? ` <span class="dim">${h(c.version)}</span>` : '';
  const name = `<th scope="row">${h(c.model)}${version}</th>`;
  if (c.state === 'errored')
    return `<tr class="errored">${name}<td><span class="badge error">errored</span></td><td colspan="5" class="error-text">${h(c.error)}</td></tr>`;
  const m = c.summary.metrics;
  const ci = c.summary.ci['roc_auc'];
  const auc = `${num(m['roc_auc'])}${ci ? ` [${num(ci.low)}, ${num(ci.high)}]` : ''}`;
  const recall = `${num(m['recall'])} @ ${num(c.summary.threshold.value)}`;
  const time = formatDuration(c.timings.fitMs + c.timings.scoreMs);
  return `<tr>${name}<td><span class="badge pass">scored</span></td>${metricCell(c, 'roc_auc', auc)}${metricCell(c, 'average_precision', num(m['average_precision']))}${metricCell(c, 'recall', recall)}<td class="num">${c.summary.n} (${c.summary.positives})</td><td class="num">${h(time)}</td></tr>`;
}

function modelsTable(s: SuiteResult): string {
  if (s.cases.length === 0) return '<p class="dim">No model ran.</p>';
  return `<table class="models"><thead><tr><th>model</th><th>state</th><th>roc_auc [95% CI]</th><th>AP</th><th>recall @ threshold</th><th>n (anomalies)</th><th>fit + score</th></tr></thead><tbody>${s.cases.map(modelRow).join('')}</tbody></table>`;
}

function chartDiv(chart: ReportChart): string {
  const attrs = [`class="chart"`, `data-chart="${chart.kind}"`];
  if (chart.model !== undefined) attrs.push(`data-model="${h(chart.model)}"`);
  if (chart.column !== undefined) attrs.push(`data-column="${h(chart.column)}"`);
  return `<div ${attrs.join(' ')}><script type="application/json" class="chart-spec">${jsonForScript(chart.spec)}</script><div class="chart-body"></div></div>`;
}

function chartGrid(charts: readonly ReportChart[]): string {
  return `<div class="charts">${charts.map(chartDiv).join('')}</div>`;
}

function suiteSection(s: SuiteResult, i: number, root: string | undefined): string {
  const v = suiteVerdict(s);
  const scored = s.cases.filter((c): c is ScoredCase => c.state === 'scored');
  const labels = suiteLabelCharts(s);
  const perModel = scored
    .map(
      (c) =>
        `<details class="model" open data-model="${h(c.model)}"><summary>${h(c.model)}</summary>${chartGrid(caseCharts(c))}</details>`,
    )
    .join('');
  return `<section class="suite" id="suite-${i}" data-suite="${h(s.name)}">
<h2><span class="badge ${v}">${VERDICT_TEXT[v]}</span> ${h(s.name)}</h2>
<p class="meta"><span>${h(relPath(s.file, root))}</span> · <span>${h(datasetText(s))}</span> · <span>threshold: ${h(s.threshold)}</span> · <span>${h(formatDuration(s.durationMs))}</span></p>
${s.error !== undefined ? `<pre class="suite-error">${h(s.error)}</pre>` : ''}
<h3>Assertions</h3>
${assertionsBlock(s, root)}
${baselineBlock(s)}
<h3>Models</h3>
${modelsTable(s)}
${alarmsSection(scored, chartGrid)}
${labels.length > 0 ? `<h3>Test systems</h3>${chartGrid(labels)}` : ''}
${perModel ? `<h3>Charts per model</h3>${perModel}` : ''}
</section>`;
}

const CSS = `
:root { color-scheme: light; --fg: #111827; --dim: #6b7280; --line: #e5e7eb; --pass: #15803d; --fail: #b91c1c; --error: #b45309; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 Helvetica, Arial, sans-serif; color: var(--fg); background: #f9fafb; }
header.run, main { max-width: 1280px; margin: 0 auto; padding: 16px 24px; }
header.run { background: white; border-bottom: 1px solid var(--line); }
h1 { font-size: 22px; margin: 0 0 8px; } h2 { font-size: 18px; margin: 0 0 4px; } h3 { font-size: 14px; margin: 18px 0 6px; text-transform: uppercase; letter-spacing: .04em; color: var(--dim); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 4px; color: white; font-size: .8em; font-weight: bold; vertical-align: middle; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); } .badge.error { background: var(--error); }
.facts { display: flex; flex-wrap: wrap; gap: 4px 24px; margin: 0; }
.facts dt { color: var(--dim); font-size: 12px; } .facts dd { margin: 0; font-variant-numeric: tabular-nums; }
.toc { display: flex; flex-wrap: wrap; gap: 4px 16px; list-style: none; padding: 0; margin: 10px 0 0; }
a { color: #1d4ed8; text-decoration: none; }
section.suite { background: white; border: 1px solid var(--line); border-radius: 6px; padding: 16px 20px; margin: 16px 0; }
.meta, .dim, .where { color: var(--dim); } .meta { margin: 0; font-size: 13px; }
.assertions { list-style: none; padding: 0; margin: 0; }
.assertion { padding: 2px 0; } .assertion .mark { display: inline-block; width: 1.2em; font-weight: bold; }
.assertion.passed .mark { color: var(--pass); } .assertion.failed .mark { color: var(--fail); } .assertion.errored .mark { color: var(--error); }
.assertion.failed .msg { color: var(--fail); } .assertion.errored .msg { color: var(--error); }
.strata { margin: 2px 0 2px 2em; padding: 0; list-style: none; color: var(--fail); font-size: 13px; }
table.models { border-collapse: collapse; width: 100%; }
table.models th, table.models td { text-align: left; padding: 4px 10px 4px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
table.models thead th { font-size: 12px; color: var(--dim); font-weight: normal; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; } .error-text { color: var(--error); }
pre.suite-error { color: var(--fail); white-space: pre-wrap; background: #fef2f2; padding: 8px; border-radius: 4px; }
details.model { margin: 8px 0; } details.model > summary { cursor: pointer; font-weight: bold; font-size: 15px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 8px; }
.chart { border: 1px solid var(--line); border-radius: 4px; padding: 4px; min-width: 200px; min-height: 120px; overflow-x: auto; background: white; }
.chart[data-error] { color: var(--fail); }
`;

/**
 * The whole report: header (verdict, counts, time, harness version, seed), then per suite its
 * dataset and threshold, assertions (failed first), models table, label distribution of the
 * test systems, the alarm metrics, warning-time chart and score timelines of the models that
 * score over time, and, per scored model, ROC, PR, score distribution and breakdown charts. The vega
 * builds and a small script that renders the charts are inlined: the page needs no network.
 */
export function renderPage(
  run: RunResult,
  scripts: VegaScripts,
  options: PageOptions = {},
): string {
  const v = runVerdict(run);
  const title = `${VERDICT_TEXT[v]} · bess-harness · ${run.suites.map((s) => s.name).join(', ') || 'no suites'}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="bess-harness ${h(run.harnessVersion)}">
<title>${h(title)}</title>
<style>${CSS}</style>
</head>
<body>
${header(run)}
<main>
${run.suites.length > 0 ? run.suites.map((s, i) => suiteSection(s, i, options.root)).join('\n') : '<p class="dim">No suites ran.</p>'}
</main>
<script>${inlineScript(scripts.vega)}</script>
<script>${inlineScript(scripts.vegaLite)}</script>
<script>${inlineScript(CLIENT_SCRIPT)}</script>
</body>
</html>
`;
}
