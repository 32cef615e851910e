/** The text of `harness runs` and `harness runs show`: the run history a person reads. Pure. */
import chalk from 'chalk';
import { stableJson } from '../stable-json.ts';
import type { RunOverview } from './overview.ts';
import type { StoredRun } from './read-runs.ts';
import type { RunRecord } from './types.ts';
import { table } from '../report/index.ts';

/** The roc_auc column is cut here, so a run with many cases keeps one line. */
const ROC_WIDTH = 72;

/** `a1b2c3d*`: a short commit, `*` for uncommitted changes; `—` outside git. */
export function shortCommit(git: RunRecord['git']): string {
  if (git.commit === null) return '—';
  return `${git.commit.slice(0, 7)}${git.dirty ? '*' : ''}`;
}

/** `2026-11-26 15:30:12` (UTC) from an ISO time. */
const utc = (iso: string): string => iso.slice(0, 19).replace('T', ' ');

const exitText = (code: 0 | 1 | 2, padded: string): string =>
  code === 0 ? chalk.green(padded) : code === 1 ? chalk.red(padded) : chalk.yellow(padded);

/** Headline AUCs as `random 0.51 zscore 0.66`, prefixed by the suite when a run has several. */
function rocText(o: RunOverview): string {
  if (o.results_error !== null) return '(results.json unreadable)';
  const suites = [...new Set(o.roc_auc.map((c) => c.suite))];
  const text = suites
    .map((s) => {
      const cases = o.roc_auc
        .filter((c) => c.suite === s)
        .map(
          (c) =>
            `${c.model} ${c.state === 'errored' ? '✗' : c.value === null ? '—' : c.value.toFixed(2)}`,
        );
      return suites.length > 1 ? `${s}: ${cases.join(' ')}` : cases.join(' ');
    })
    .join(' · ');
  return text.length > ROC_WIDTH ? `${text.slice(0, ROC_WIDTH - 1)}…` : text;
}

/**
 * A run's tracking status; with the server it went to when that is not the one set now (a run
 * synced to another server is not on this one: `harness runs sync` uploads it here).
 */
function trackingText(o: RunOverview, server: string | null): string {
  if (o.tracking === null) return '—';
  return server !== null && o.tracking_uri !== null && o.tracking_uri !== server
    ? `${o.tracking} (${o.tracking_uri})`
    : o.tracking;
}

/** The table of `harness runs`, newest first; `older` runs were left out by --limit. */
export function formatRunsTable(
  runs: readonly RunOverview[],
  ctx: {
    readonly runsDir: string;
    readonly older: number;
    /** The server `harness runs sync` uploads to now (its base URI), null when none is set. */
    readonly server?: string | null;
  },
): string {
  if (runs.length === 0)
    return `no runs recorded in ${ctx.runsDir} yet: \`harness run\` records every run (unless history is off)\n`;
  const rows = runs.map((o) => [
    o.run_id,
    utc(o.started_at),
    shortCommit(o.git),
    String(o.exit_code),
    String(o.suites),
    o.cases.errored > 0
      ? `${o.cases.scored + o.cases.errored} (${o.cases.errored} ✗)`
      : String(o.cases.scored),
    rocText(o),
    trackingText(o, ctx.server ?? null),
  ]);
  const lines = table(
    ['id', 'started (UTC)', 'commit', 'exit', 'suites', 'cases', 'roc_auc', 'tracking'],
    rows,
    [false, false, false, true, true, true, false, false],
    (r, c, t) =>
      c === 3
        ? exitText(runs[r]!.exit_code, t)
        : c === 7 && (runs[r]!.tracking === 'failed' || runs[r]!.tracking === 'unknown')
          ? chalk.red(t)
          : t,
  );
  if (ctx.older > 0)
    lines.push(
      chalk.dim(`… ${ctx.older} older run${ctx.older === 1 ? '' : 's'} (--limit N shows more)`),
    );
  return `${lines.join('\n')}\n`;
}

const short = (hash: string | null): string => (hash === null ? '—' : hash.slice(0, 12));

const ms = (v: number): string =>
  v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;

/** `harness runs show`: one record's provenance, suite by suite and case by case. */
export function formatRunRecord(run: StoredRun, dirText: string): string {
  const r = run.record;
  const out: string[] = [];
  out.push(`${chalk.bold(`run ${r.run_id}`)}  ${chalk.dim(dirText)}`);
  out.push(
    `  started   ${r.started_at} · ${ms(r.duration_ms)} · exit ${exitText(r.exit_code, String(r.exit_code))}`,
  );
  out.push(
    `  harness   ${r.harness_version} · seed ${r.seed} · argv ${r.argv.length > 0 ? r.argv.join(' ') : '(none)'}`,
  );
  const g = r.git;
  out.push(
    `  git       ${g.commit === null ? '— (not a git checkout, or git is missing)' : `${g.commit}${g.branch ? ` on ${g.branch}` : ' (detached)'}${g.dirty ? ', with uncommitted changes' : ''}`}`,
  );
  out.push(
    `  config    ${r.config.file === null ? '— (none: defaults)' : `${r.config.file} · sha256 ${short(r.config.hash)}`}`,
  );
  const t = run.tracking?.mlflow;
  out.push(
    `  tracking  ${run.trackingError !== undefined ? chalk.red(`unknown: ${run.trackingError}`) : t ? `mlflow ${t.status} · ${t.uri} · ${t.at}${t.error ? ` · ${t.error}` : ''}` : '— (not sent)'}`,
  );
  for (const s of r.suites) {
    out.push('', `${chalk.bold(`suite ${s.name}`)}  ${chalk.dim(s.file)}`);
    if (s.error) out.push(`  ${chalk.red('✗ could not run:')} ${s.error}`);
    const d = s.dataset;
    if (d) {
      const split =
        s.split === null
          ? ''
          : s.split.sources
            ? `trained on ${s.split.sources.train}, tested on ${s.split.sources.test}`
            : s.split.folds !== null
              ? `${s.split.folds}-fold`
              : `test share ${s.split.test}`;
      out.push(
        `  dataset   ${d.kind} ${d.name} (${d.data_source}) · ${d.systems} systems: ${d.train} train / ${d.test} test · ${split}, seed ${s.split?.seed ?? '—'}`,
      );
      out.push(
        `  hashes    dataset ${short(d.hash)} · data ${short(d.data_hash)} · labels ${short(d.labels_hash)} (label_version ${d.label_version ?? '—'})`,
      );
    }
    out.push(`  threshold ${s.threshold}`);
    out.push(
      `  asserts   ${s.assertions.passed} passed, ${s.assertions.failed} failed, ${s.assertions.errored} errored`,
    );
    const rows = s.cases.map((c) => [
      c.model,
      c.version ?? '—',
      c.state,
      c.cached ? 'yes' : 'no',
      c.timings_ms ? ms(c.timings_ms.fit) : '—',
      c.timings_ms ? ms(c.timings_ms.score) : '—',
      c.seed,
      c.state === 'errored' ? (c.error ?? '') : stableJson(c.options),
    ]);
    if (rows.length > 0) {
      const lines = table(
        ['model', 'version', 'state', 'cached', 'fit', 'score', 'seed', 'options / error'],
        rows,
        [false, false, false, false, true, true, false, false],
        (i, col, text) => (col === 2 && s.cases[i]!.state === 'errored' ? chalk.red(text) : text),
      );
      out.push(...lines.map((l) => `  ${l}`));
    }
  }
  return `${out.join('\n')}\n`;
}
