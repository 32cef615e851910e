/**
 * Sim-to-real as a split (issue 5/7): a synthetic fleet of hour-long windows (a window scenario)
 * and a small real fleet of healthy one-hour series, written in the data contract as an import
 * would leave them. A suite trains on synthetic and tests on real, another the reverse: the
 * header says which way, results.json says it in words, and the false-alarm rate on the test
 * normals comes with its CI even where ROC AUC is undefined (no real anomalies). A split side
 * that matches nothing is a harness error (exit 2) that says so.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

const REAL = 12;
const ROWS = 60;

/** `REAL` healthy racks, one hour at 1 min each, a slow cycle and a per-rack offset (no randomness). */
function realData(): Record<string, string> {
  const files: Record<string, string> = {};
  const meta = ['system_id,source,operational_mode,season,chemistry'];
  const labels = ['system_id,label,failure_type,lead_time_days,source,label_version'];
  const start = Date.UTC(2025, 5, 1, 8, 0, 0);
  for (let r = 0; r < REAL; r++) {
    const id = `site1-rack${String(r + 1).padStart(2, '0')}`;
    meta.push(`${id},real,arbitrage,summer,LFP`);
    labels.push(`${id},normal,none,,real,1`);
    const lines = [
      'timestamp,voltage_v,current_a,soc_pct,temp_cell_max_c,temp_cell_min_c,temp_ambient_c,cell_voltage_max_v,cell_voltage_min_v,insulation_resistance_kohm',
    ];
    for (let i = 0; i < ROWS; i++) {
      const phase = Math.sin((2 * Math.PI * (i + 7 * r)) / ROWS);
      const t = new Date(start + i * 60_000).toISOString().replace('.000Z', 'Z');
      const vCell = 3.3 + 0.01 * phase + 0.002 * (r % 3);
      lines.push(
        [
          t,
          (240 * vCell).toFixed(2),
          (100 * phase).toFixed(2),
          (55 + 10 * phase - r).toFixed(2),
          (27 + phase + 0.1 * r).toFixed(2),
          (24 + phase).toFixed(2),
          (21 + 0.5 * phase).toFixed(2),
          (vCell + 0.004).toFixed(4),
          // ΔV of 3–8 mV, varying by rack and with the load, as healthy LFP racks at rest and under load show.
          (vCell - 0.001 - 0.001 * (r % 4) - 0.002 * Math.abs(phase)).toFixed(4),
          (2500 + 10 * r).toFixed(1),
        ].join(','),
      );
    }
    files[`data/real/raw/${id}.csv`] = `${lines.join('\n')}\n`;
  }
  files['data/real/metadata.csv'] = `${meta.join('\n')}\n`;
  files['data/real/labels.csv'] = `${labels.join('\n')}\n`;
  return files;
}

const SCENARIO = `import { defineScenario } from 'bess-harness';

export default defineScenario({
  name: 'hour-windows',
  systems: 8,
  days: 1,
  interval: '1m',
  window: '1h',
  anomalyRate: 0.25,
  leadTimeDays: { kind: 'uniform', min: 0, max: 2 },
  seed: 3,
});
`;

const suite = (
  name: string,
  dataset: string,
  split: string,
) => `import { defineSuite } from 'bess-harness';

export default defineSuite({
  name: '${name}',
  dataset: ${dataset},
  split: ${split},
  models: ['random', 'zscore'],
  expect: ({ metric }) => [metric('zscore', 'fpr').toBeWithin(0, 1)],
});
`;

interface CaseJson {
  model: string;
  metrics: Record<string, number | null>;
  ci: Record<string, { method: string; level: number; low: number; high: number } | null>;
  undefined: Record<string, string>;
  negatives: number;
}
interface ResultsJson {
  suites: {
    name: string;
    error: string | null;
    dataset: {
      split: string;
      splitSources: { train: string; test: string };
      train: number;
      test: number;
    };
    cases: CaseJson[];
  }[];
}

describe('sim-to-real split end to end', { timeout: 240_000 }, () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeProject({
      ...realData(),
      'suites/scenarios/hour-windows.scenario.ts': SCENARIO,
      'suites/sim-to-real.suite.ts': suite(
        'sim-to-real',
        "{ source: 'all' }",
        "{ train: { source: 'synthetic' }, test: { source: 'real' } }",
      ),
      'suites/real-to-sim.suite.ts': suite(
        'real-to-sim',
        "{ source: 'all' }",
        "{ train: { source: 'real' }, test: { source: 'synthetic' } }",
      ),
      'suites/no-synthetic.suite.ts': suite(
        'no-synthetic',
        "{ source: 'real' }",
        "{ test: { source: 'real' } }",
      ),
    }));
  });
  afterAll(() => cleanup());
  const run = (...args: string[]) => runHarness(args, { cwd: dir });

  it('trains on synthetic windows, tests on real healthy racks, and reports fpr with its CI', async () => {
    const gen = await run('generate', '--scenario', 'hour-windows');
    expect(gen.stderr).toBe('');
    expect(gen.code).toBe(0);
    const meta = await readFile(path.join(dir, 'data', 'synthetic', 'metadata.csv'), 'utf8');
    const metaRows = meta.trim().split('\n');
    expect(metaRows[0]).toMatch(/,parent_system_id$/);
    expect(metaRows[1]).toMatch(/^sys-0001-w0000,.*,sys-0001$/);
    const windows = metaRows.length - 1;
    expect(windows).toBeGreaterThan(8 * 20);
    expect(windows).toBeLessThanOrEqual(8 * 24);
    const synthLabels = await readFile(path.join(dir, 'data', 'synthetic', 'labels.csv'), 'utf8');
    expect(synthLabels).toMatch(/-w\d{4},anomaly,\w+,\d/);

    const r = await run(
      'run',
      '--suite',
      'sim-to-real',
      '--suite',
      'real-to-sim',
      '--reporter',
      'plain',
      '--reporter',
      'json',
    );
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`trained on synthetic (${windows}), tested on real (${REAL})`);
    expect(r.stdout).toContain(`trained on real (${REAL}), tested on synthetic (${windows})`);
    expect(r.stdout).toMatch(
      /false alarms on real normals: fpr \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\] \(\d+ of 12\) · roc_auc undefined: .*anomal/,
    );

    const results = JSON.parse(
      await readFile(path.join(dir, '.harness', 'last-run', 'results.json'), 'utf8'),
    ) as ResultsJson;
    const s2r = results.suites.find((s) => s.name === 'sim-to-real')!;
    expect(s2r.error).toBeNull();
    expect(s2r.dataset).toMatchObject({
      split: 'trained on synthetic, tested on real',
      splitSources: { train: 'synthetic', test: 'real' },
      train: windows,
      test: REAL,
    });
    for (const c of s2r.cases) {
      expect(c.negatives).toBe(REAL);
      const fpr = c.metrics['fpr']!;
      expect(typeof fpr).toBe('number');
      expect(c.ci['fpr']).toMatchObject({ method: 'wilson', level: 0.95 });
      expect(c.ci['fpr']!.low).toBeLessThanOrEqual(fpr);
      expect(c.ci['fpr']!.high).toBeGreaterThanOrEqual(fpr);
      // Twelve normals cannot pin a rate: the interval is wide whatever the rate.
      expect(c.ci['fpr']!.high - c.ci['fpr']!.low).toBeGreaterThan(0.15);
      expect(c.metrics['roc_auc']).toBeNull();
      expect(c.undefined['roc_auc']).toMatch(/anomal/);
    }

    const r2s = results.suites.find((s) => s.name === 'real-to-sim')!;
    expect(r2s.dataset.split).toBe('trained on real, tested on synthetic');
    const zscore = r2s.cases.find((c) => c.model === 'zscore')!;
    expect(typeof zscore.metrics['roc_auc']).toBe('number');
    expect(zscore.ci['fpr']).toMatchObject({ method: 'wilson' });
  });

  it('is a harness error (exit 2) when a side of the split matches no system', async () => {
    const r = await run('run', '--suite', 'no-synthetic', '--reporter', 'plain');
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain(
      "split.train { source: 'synthetic' } matches no system of the dataset (it holds 0 synthetic, 12 real)",
    );
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .*\.ts:\d+/);
  });
});
