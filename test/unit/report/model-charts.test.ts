import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateScores } from '../../../src/metrics/evaluate.ts';
import { modelChartFileName, modelCharts } from '../../../src/report/charts/model-charts.ts';

const y = [0, 0, 0, 1, 1, 0, 1, 0];
const scores = [0.1, 0.4, 0.2, 0.8, 0.35, 0.3, 0.9, 0.05];
const mode = ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b'];
const summary = evaluateScores({ y, scores, threshold: 0.5, strata: { operational_mode: mode } });

function subtitleOf(spec: unknown): unknown {
  return (spec as { title?: { subtitle?: unknown } }).title?.subtitle;
}

describe('modelCharts', () => {
  it('draws ROC, PR, score distribution, then one breakdown per given column, with their file names', () => {
    const charts = modelCharts({
      y,
      scores,
      n: summary.n,
      positives: summary.positives,
      rocAucCi: summary.ci['roc_auc'] ?? null,
      threshold: 0.5,
      breakdown: [['operational_mode', summary.breakdown['operational_mode'] ?? []]],
      subtitle: 'fleet · m',
      breakdownSubtitle: 'm',
    });
    expect(charts.map((c) => [c.kind, c.column])).toEqual([
      ['roc', undefined],
      ['pr', undefined],
      ['scores', undefined],
      ['breakdown', 'operational_mode'],
    ]);
    expect(charts.map(modelChartFileName)).toEqual([
      'roc.svg',
      'pr.svg',
      'score-distribution.svg',
      'breakdown-operational_mode.svg',
    ]);
    expect(JSON.stringify(subtitleOf(charts[0]!.spec))).toContain('fleet · m');
    expect(JSON.stringify(subtitleOf(charts[3]!.spec))).not.toContain('fleet');
  });
});

describe('src/report/charts', () => {
  it('is a leaf: it imports only vega, metrics and its own folder (svg/ included)', async () => {
    const dir = path.resolve(import.meta.dirname, '../../../src/report/charts');
    const metrics = path.resolve(dir, '../../metrics');
    for (const file of await readdir(dir, { recursive: true })) {
      if (!/\.tsx?$/.test(file)) continue;
      const text = await readFile(path.join(dir, file), 'utf8');
      for (const m of text.matchAll(/^import (?:type )?[^;]*? from '([^']+)';/gm)) {
        const from = m[1]!;
        const target = from.startsWith('.')
          ? path.resolve(path.dirname(path.join(dir, file)), from)
          : null;
        const allowed =
          target === null
            ? from === 'vega' || from === 'vega-lite'
            : target.startsWith(dir + path.sep) || target.startsWith(metrics + path.sep);
        expect(allowed, `${file} imports ${from}`).toBe(true);
      }
    }
  });
});
