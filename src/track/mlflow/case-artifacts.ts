import { averagePrecision, prCurve, rocAuc, rocCurve } from '../../metrics/ranking.ts';
import { breakdownChart } from '../../report/charts/breakdown-chart.ts';
import { prChart } from '../../report/charts/pr-chart.ts';
import { renderSvg } from '../../report/charts/render-svg.ts';
import { rocChart } from '../../report/charts/roc-chart.ts';
import { scoreDistributionChart } from '../../report/charts/score-distribution-chart.ts';
import { readCaseScores, type RunCase, type RunFolder } from './run-folder.ts';

/** A file logged with a run, at `path` below the run's artifact root. */
export interface Artifact {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/**
 * The artifacts of one case:
 * - `results.json`: the whole run's file, byte for byte. It is the contract other tools read, so
 *   a copy that is exactly it (not a per-case slice in a new shape) can be fed to them as it is,
 *   and it carries the assertions and the other models of the suite the case was judged with.
 *   The case's own numbers are the run's metrics, params and tags;
 * - for a scored case, `scores.csv` (system_id,label,score) and `charts/`: ROC, precision–recall,
 *   score distribution and one breakdown chart per column, the SVGs `harness evaluate --plots`
 *   draws (the MLflow UI shows SVG artifacts inline).
 */
export async function caseArtifacts(run: RunFolder, c: RunCase): Promise<Artifact[]> {
  const artifacts: Artifact[] = [{ path: 'results.json', bytes: run.resultsBytes }];
  if (c.result.state !== 'scored' || c.record.scores_file === null) return artifacts;
  const r = c.result;
  const { bytes, y, scores } = await readCaseScores(run.dir, c.record.scores_file);
  artifacts.push({ path: 'scores.csv', bytes });
  const subtitle = `${c.suite.name} · ${c.record.model} · ${r.n} systems (${r.positives} anomalies) · run ${run.record.run_id}`;
  const charts: [string, Parameters<typeof renderSvg>[0]][] = [
    ['charts/roc.svg', rocChart({ curve: rocCurve(y, scores), auc: rocAuc(y, scores), ci: r.ci['roc_auc'] ?? null, subtitle })],
    ['charts/pr.svg', prChart({ curve: prCurve(y, scores), averagePrecision: averagePrecision(y, scores), prevalence: r.n > 0 ? r.positives / r.n : 0, subtitle })],
    ['charts/score-distribution.svg', scoreDistributionChart({ y, scores, threshold: r.threshold.value, subtitle })],
    ...Object.entries(r.breakdown).map(([column, cells]): [string, Parameters<typeof renderSvg>[0]] => [`charts/breakdown-${column}.svg`, breakdownChart({ column, cells, subtitle })]),
  ];
  for (const [path, spec] of charts) artifacts.push({ path, bytes: Buffer.from(await renderSvg(spec), 'utf8') });
  return artifacts;
}
