import path from 'node:path';
import type { JsonCell } from '../metrics/index.ts';
import type { CaseResult, SuiteResult } from '../runner/types.ts';

/** What every report prints for a number it does not have (an undefined metric, a missing CI). */
export const MISSING = '—';

/** A metric with `d` decimals, or {@link MISSING} when it is undefined. */
export const fmt = (v: number | null | undefined, d = 3): string =>
  v === null || v === undefined ? MISSING : v.toFixed(d);

/** A path relative to the cwd when it lies below it, else as given. */
export const rel = (f: string): string => {
  const r = path.relative(process.cwd(), f);
  return r && !r.startsWith('..') ? r : f;
};

/**
 * The `k` lowest-AUC strata (cells with enough anomalies) across a suite's scored models,
 * the random baseline left out, as `model column=stratum 0.61` labels.
 */
export function weakestStrata(cases: readonly CaseResult[], k: number): string[] {
  const cells: { label: string; auc: number }[] = [];
  for (const c of cases) {
    if (c.state !== 'scored' || c.model === 'random') continue;
    for (const [col, list] of Object.entries(c.summary.breakdown)) {
      for (const cell of list as readonly JsonCell[]) {
        const auc = cell.metrics.roc_auc;
        if (auc !== null && !cell.too_few)
          cells.push({ label: `${c.model} ${col}=${cell.stratum} ${auc.toFixed(2)}`, auc });
      }
    }
  }
  return cells
    .sort((a, b) => a.auc - b.auc)
    .slice(0, k)
    .map((c) => c.label);
}

/**
 * One line on a case's alarms (a model with `scoreOverTime`), or undefined without them:
 * `alarms: median warning 12.4 d · caught with 7 d warning 0.600 (3 of 5) · 0.203 false alarms / system-month`.
 */
export function alarmSummaryText(c: CaseResult): string | undefined {
  if (c.state !== 'scored' || !c.alarms) return undefined;
  const { metrics, counts } = c.alarms.summary;
  const observable = counts.failures - counts.unobservable;
  const caught7 = metrics['caught_with_7d_warning'];
  const of7 =
    caught7 === null || caught7 === undefined
      ? ''
      : ` (${Math.round(caught7 * observable)} of ${observable})`;
  const median = metrics['median_warning_days'];
  return (
    `alarms: median warning ${median === null || median === undefined ? MISSING : `${fmt(median, 1)} d`} · ` +
    `caught with 7 d warning ${fmt(caught7)}${of7} · ` +
    `${fmt(metrics['false_alarms_per_system_month'])} false alarms / system-month`
  );
}

/**
 * `--model` left out assertions about models that did not run: how many, and which models. Every
 * reporter says it: a CI summary that showed only the assertions checked hid the others.
 */
export function leftOutText(l: NonNullable<SuiteResult['leftOut']>): string {
  const n = l.assertions === 1 ? '1 assertion' : `${l.assertions} assertions`;
  return `${n} left out by --model: ${l.assertions === 1 ? 'it names' : 'they name'} ${l.models.join(', ')}, which did not run`;
}
