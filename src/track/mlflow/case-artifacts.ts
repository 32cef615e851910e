import { modelChartFileName, modelCharts } from '../../report/charts/index.ts';
import type { RunCase, RunFolder } from './run-folder.ts';

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
  if (c.result.state !== 'scored' || c.scores === null) return artifacts;
  const r = c.result;
  const { bytes, y, scores } = c.scores;
  artifacts.push({ path: 'scores.csv', bytes });
  const subtitle = `${c.suite.name} · ${c.record.model} · ${r.n} systems (${r.positives} anomalies) · run ${run.record.run_id}`;
  const charts = modelCharts({
    y,
    scores,
    n: r.n,
    positives: r.positives,
    rocAucCi: r.ci['roc_auc'] ?? null,
    threshold: r.threshold.value,
    breakdown: Object.entries(r.breakdown),
    subtitle,
  });
  // Vega loads only when a scored case is uploaded, not with the tracking module.
  const { renderSvg } = await import('../../report/charts/svg/index.ts');
  for (const chart of charts)
    artifacts.push({
      path: `charts/${modelChartFileName(chart)}`,
      bytes: Buffer.from(await renderSvg(chart.spec), 'utf8'),
    });
  return artifacts;
}
