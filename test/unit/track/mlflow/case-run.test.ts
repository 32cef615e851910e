import { execFileSync } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../../../../src/errors.ts';
import {
  CASE_ID_TAG,
  caseId,
  caseRun,
  flattenOptions,
  type CaseRun,
} from '../../../../src/track/mlflow/case-run.ts';
import { keyProblem } from '../../../../src/track/mlflow/keys.ts';
import {
  readRunFolder,
  type RunFolder,
  type ScoredResultsCase,
} from '../../../../src/track/mlflow/run-folder.ts';
import { tempDir } from '../../../helpers/run-harness.ts';
import { syntheticRun, writeRunFolder } from '../../../helpers/run-record.ts';

let tmp: { dir: string; cleanup: () => Promise<void> };
let folder: RunFolder;
let runs: Record<string, CaseRun>;

let commit = '';

beforeAll(async () => {
  tmp = await tempDir('bess-track-');
  // The project is a real git checkout: the record's git fields come from it.
  const root = path.join(tmp.dir, 'project');
  await mkdir(root);
  await writeFile(path.join(root, 'README.md'), 'fixture\n');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=t@bess.local', '-c', 'user.name=t', ...args], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'fixture');
  commit = git('rev-parse', 'HEAD');
  const dir = await writeRunFolder(path.join(tmp.dir, 'runs'), syntheticRun(undefined, root), root);
  folder = await readRunFolder(dir);
  runs = Object.fromEntries(
    folder.cases.map((c) => [c.record.model, caseRun(folder.record, c, { USER: 'ci-bot' })]),
  );
});
afterAll(() => tmp.cleanup());

const metricMap = (r: CaseRun) => new Map(r.payload.metrics.map((m) => [m.key, m.value]));
const params = (r: CaseRun) => Object.fromEntries(r.payload.params.map((p) => [p.key, p.value]));
const tags = (r: CaseRun) => Object.fromEntries(r.payload.tags.map((t) => [t.key, t.value]));
const resultOf = (model: string) =>
  folder.cases.find((c) => c.record.model === model)!.result as ScoredResultsCase;

describe('caseRun: a case of a run record as an MLflow run', () => {
  it('goes to the experiment named after its suite, as <model>@<version>, over the harness run’s time span', () => {
    const r = runs['good']!;
    expect(r).toMatchObject({
      experimentName: 'detectors',
      runName: 'good@2',
      status: 'FINISHED',
      userId: 'ci-bot',
    });
    expect(r.startTime).toBe(Date.parse('2026-11-26T15:30:12.345Z'));
    expect(r.endTime).toBe(r.startTime + 1500);
    expect(r.identity).toEqual([
      { key: CASE_ID_TAG, value: caseId(folder.record.run_id, 'detectors', 'good') },
      { key: 'harness.run_id', value: folder.record.run_id },
    ]);
    expect(caseId(folder.record.run_id, 'detectors', 'good')).toMatch(/^[0-9a-f]{32}$/);
    expect(caseId(folder.record.run_id, 'detectors', 'good')).not.toBe(
      caseId(folder.record.run_id, 'detectors', 'random'),
    );
  });

  it('logs every metric of results.json with its value, and CI bounds', () => {
    const r = runs['good']!;
    const m = metricMap(r);
    const res = resultOf('good');
    for (const [name, value] of Object.entries(res.metrics)) expect(m.get(name), name).toBe(value);
    expect(m.get('roc_auc.ci_low')).toBe(res.ci['roc_auc']!.low);
    expect(m.get('roc_auc.ci_high')).toBe(res.ci['roc_auc']!.high);
    expect(m.get('n')).toBe(120);
    expect(m.get('positives')).toBe(40);
    expect(m.get('confusion.tp')).toBe(res.confusion.tp);
    expect(m.get('timing.fit_ms')).toBe(12.5);
    for (const metric of r.payload.metrics) {
      expect(keyProblem(metric.key), metric.key).toBeNull();
      expect(metric).toMatchObject({ timestamp: r.startTime, step: 0 });
    }
  });

  it('logs each breakdown cell and lead-time bucket under a valid key', () => {
    const m = metricMap(runs['good']!);
    const res = resultOf('good');
    const cell = (column: string, stratum: string) =>
      res.breakdown[column]!.find((c) => c.stratum === stratum)!;
    expect(m.get('roc_auc.failure_type.thermal_runaway')).toBe(
      cell('failure_type', 'thermal_runaway').metrics.roc_auc,
    );
    expect(m.get('recall.failure_type.cell_imbalance')).toBe(
      cell('failure_type', 'cell_imbalance').metrics.recall,
    );
    expect(m.get('roc_auc.failure_type.thermal_runaway.ci_low')).toBe(
      cell('failure_type', 'thermal_runaway').ci.roc_auc!.low,
    );
    expect(m.get('n.failure_type.internal_short')).toBe(4);
    expect(m.get('roc_auc.scenario_tags.hot_dry_v2')).toBe(
      cell('scenario_tags', 'hot/dry.v2').metrics.roc_auc,
    );
    expect(m.get('roc_auc.scenario_tags.grid_peak')).toBe(
      cell('scenario_tags', 'grid+peak').metrics.roc_auc,
    );
    expect(m.get('n.scenario_tags.missing')).toBe(cell('scenario_tags', '(missing)').n);
    // lead-time buckets as day ranges, in the lead-time section and in the breakdown
    const lead = (name: string) => res.lead_time!.find((c) => c.stratum === name)!;
    expect(m.get('recall.lead_time.0-7d')).toBe(lead('[0,7)').metrics.recall);
    expect(m.get('roc_auc.lead_time.7-30d')).toBe(lead('[7,30)').metrics.roc_auc);
    expect(m.get('recall.lead_time.90d_plus')).toBe(lead('90+').metrics.recall);
    expect(m.get('n.lead_time_bucket.30-90d')).toBe(cell('lead_time_bucket', '[30,90)').n);
    expect(m.get('caught_with_warning.7d')).toBe(res.caught_with_warning!['7']);
    const renamed = tags(runs['good']!)['harness.renamed_keys']!.split('\n');
    expect(renamed).toContain(
      'roc_auc.scenario_tags.hot_dry_v2 <- roc_auc.scenario_tags.hot/dry.v2',
    );
  });

  it('logs an undefined metric as a tag with its reason, never as a number', () => {
    const r = runs['flat']!;
    const res = resultOf('flat');
    const undefinedMetrics = Object.entries(res.metrics).filter(([, v]) => v === null);
    expect(undefinedMetrics.length).toBeGreaterThan(0);
    const m = metricMap(r);
    const t = tags(r);
    for (const [name] of undefinedMetrics) {
      expect(m.has(name)).toBe(false);
      expect(t[`metric.${name}.undefined`]).toBe(res.undefined[name]);
    }
    // internal_short has 4 anomalies: its CI is undefined, with the reason from results.json
    const good = tags(runs['good']!);
    const cell = resultOf('good').breakdown['failure_type']!.find(
      (c) => c.stratum === 'internal_short',
    )!;
    if (cell.ci.roc_auc === null)
      expect(good['metric.roc_auc.failure_type.internal_short.ci_low.undefined']).toBe(
        cell.undefined['ci.roc_auc'],
      );
    for (const metric of r.payload.metrics)
      expect(typeof metric.value === 'number' ? Number.isFinite(metric.value) : true).toBe(true);
  });

  it('logs model, version, flattened options, split, seed and threshold as params', () => {
    expect(params(runs['good']!)).toEqual({
      model: 'good',
      version: '2',
      'options.sensor': 'cell_delta_v_mv',
      'options.window.days': '7',
      'options.window.step': 'hourly',
      'options.weights': '[1,2]',
      'split.test': '0.5',
      'split.seed': '7',
      seed: 'track-fixture:detectors:good',
      threshold: 'fixed 0.5',
    });
  });

  it('tags provenance and what the MLflow UI shows', () => {
    const t = tags(runs['good']!);
    expect(t).toMatchObject({
      'harness.run_id': folder.record.run_id,
      'harness.version': '0.1.0',
      'harness.suite_file': 'suites/detectors.suite.ts',
      'harness.cached': 'false',
      'git.commit': commit,
      'git.branch': 'main',
      'git.dirty': 'false',
      data_source: 'synthetic',
      label_version: '1',
      scenario: 'default',
      'dataset.name': 'default',
      'mlflow.source.name': 'suites/detectors.suite.ts',
      'mlflow.source.type': 'LOCAL',
      'mlflow.source.git.commit': commit,
      'mlflow.user': 'ci-bot',
    });
    expect(t['labels_hash']).toMatch(/^[0-9a-f]{64}$/);
    expect(t['data_hash']).toMatch(/^[0-9a-f]{64}$/);
    expect(t['dataset.hash']).toMatch(/^[0-9a-f]{64}$/);
    expect(t['mlflow.note.content']).toMatch(/^\*\*good@2\*\* on suite \*\*detectors\*\*/);
    expect(t['mlflow.note.content']).toMatch(/ROC AUC 0\.\d{3} \[0\.\d{3}, \d\.\d{3}\]/);
  });

  it('makes a crashed model a FAILED run carrying the error, with no metrics', () => {
    const r = runs['crashy']!;
    expect(r.status).toBe('FAILED');
    expect(r.payload.metrics).toEqual([]);
    expect(tags(r)['harness.error']).toBe(
      'score(bess-007): sensor temp_cell_max_c missing\nsecond line',
    );
    expect(tags(r)['mlflow.note.content']).toMatch(
      /The model failed: `score\(bess-007\): sensor temp_cell_max_c missing`/,
    );
  });

  it('leaves mlflow.user out when $USER is not set', () => {
    const c = folder.cases[0]!;
    const r = caseRun(folder.record, c, {});
    expect(r.userId).toBeNull();
    expect(r.payload.tags.some((t) => t.key === 'mlflow.user')).toBe(false);
  });
});

describe("a case's verdict", () => {
  const graded = (id: number, state: 'passed' | 'failed' | 'errored', spec: object) =>
    ({ id, state, message: 'm', actual: null, expected: 'x', spec }) as never;
  const metric = (model: string) => ({
    kind: 'metric',
    subject: { model, metric: 'roc_auc' },
    comparison: { op: 'within', lo: 0, hi: 1 },
    each: false,
  });
  let judged: RunFolder;
  beforeAll(async () => {
    const run = syntheticRun('2026-11-26T16:00:00.000Z');
    const [detectors, edge] = run.suites;
    const assertions = [
      graded(0, 'passed', metric('good')),
      graded(1, 'passed', metric('random')),
      // about random (its subject), not about good
      graded(2, 'failed', {
        kind: 'beats',
        model: 'random',
        other: 'good',
        on: 'roc_auc',
        test: 'delong',
        alpha: 0.05,
      }),
      graded(3, 'errored', metric('crashy')),
    ];
    const dir = await writeRunFolder(
      path.join(tmp.dir, 'verdict'),
      { ...run, suites: [{ ...detectors!, assertions }, edge!] },
      '/project',
    );
    judged = await readRunFolder(dir);
  });
  const tagsOf = (model: string, f: RunFolder = judged) =>
    tags(
      caseRun(
        f.record,
        f.cases.find((c) => c.record.model === model)!,
        {},
      ),
    );

  it("tags each case's MLflow run with the assertions about its model, its verdict and the run's exit code", () => {
    const pick = (t: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(t).filter(
          ([k]) =>
            k.startsWith('harness.assertions.') ||
            k === 'harness.verdict' ||
            k === 'harness.exit_code',
        ),
      );
    const expected = (passed: number, failed: number, errored: number, verdict: string) => ({
      'harness.assertions.passed': String(passed),
      'harness.assertions.failed': String(failed),
      'harness.assertions.errored': String(errored),
      'harness.verdict': verdict,
      'harness.exit_code': '2',
    });
    expect(pick(tagsOf('good'))).toEqual(expected(1, 0, 0, 'pass'));
    expect(pick(tagsOf('random'))).toEqual(expected(1, 1, 0, 'fail'));
    expect(pick(tagsOf('crashy'))).toEqual(expected(0, 0, 1, 'error'));
    expect(pick(tagsOf('flat'))).toEqual(expected(0, 0, 0, 'none'));
    expect(tagsOf('random')['mlflow.note.content']).toContain(
      'Assertions about this model: 1 passed, 1 failed, 0 errored · harness run exit 2',
    );
    // the status only says whether the case completed
    const random = judged.cases.find((c) => c.record.model === 'random')!;
    expect(caseRun(judged.record, random, {}).status).toBe('FINISHED');
  });

  it('fails the verdict of a model whose baseline gate failed while its assertions held (MLflow said pass)', async () => {
    const dir = path.join(tmp.dir, 'gate');
    await cp(judged.dir, dir, { recursive: true });
    const file = path.join(dir, 'results.json');
    const json = JSON.parse(await readFile(file, 'utf8'));
    json.suites[0].baseline = {
      file: 'suites/__baselines__/detectors.json',
      status: 'compared',
      message: 'm',
      gates: [
        {
          model: 'good',
          state: 'failed',
          message: 'roc_auc regressed',
          actual: 0.6,
          baseline: 0.9,
        },
        { model: 'random', state: 'passed', message: 'held', actual: 0.5, baseline: 0.5 },
      ],
    };
    await writeFile(file, JSON.stringify(json));
    const f = await readRunFolder(dir);
    expect(tagsOf('good', f)['harness.verdict']).toBe('fail');
    expect(tagsOf('good', f)['harness.baseline_gate']).toBe('failed');
    // a gate that held does not hide a failed assertion; a suite without a baseline has no gate tag
    expect(tagsOf('random', f)['harness.verdict']).toBe('fail');
    expect(tagsOf('random', f)['harness.baseline_gate']).toBe('passed');
    expect(tagsOf('flat', f)['harness.baseline_gate']).toBeUndefined();
  });

  it('reads an older results.json without assertions: no verdict tags, the exit code still', async () => {
    const dir = path.join(tmp.dir, 'older');
    await cp(judged.dir, dir, { recursive: true });
    const file = path.join(dir, 'results.json');
    const json = JSON.parse(await readFile(file, 'utf8'));
    for (const suite of json.suites) delete suite.assertions;
    await writeFile(file, JSON.stringify(json));
    const t = tagsOf('random', await readRunFolder(dir));
    expect(Object.keys(t).filter((k) => k.startsWith('harness.assertions.'))).toEqual([]);
    expect(t['harness.verdict']).toBeUndefined();
    expect(t['harness.exit_code']).toBe('2');
    expect(t['mlflow.note.content']).toContain('Assertions about this model: unknown');
  });
});

describe('flattenOptions', () => {
  it('flattens objects, writes arrays and numbers as JSON, and names a bare value', () => {
    expect(flattenOptions({ a: { b: 1, c: 'x' }, d: [1], e: null, f: {} })).toEqual([
      [['a', 'b'], '1'],
      [['a', 'c'], 'x'],
      [['d'], '[1]'],
      [['e'], 'null'],
    ]);
    expect(flattenOptions(undefined)).toEqual([]);
    expect(flattenOptions(3)).toEqual([[['value'], '3']]);
  });
});

describe('readRunFolder', () => {
  it('names the file and the field of a broken record', async () => {
    const dir = folder.dir;
    const run = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'));
    const bad = path.join(tmp.dir, 'bad');
    const { mkdir, cp } = await import('node:fs/promises');
    await mkdir(bad, { recursive: true });
    await cp(dir, bad, { recursive: true });
    await writeFile(
      path.join(bad, 'run.json'),
      JSON.stringify({
        ...run,
        suites: [{ ...run.suites[0], cases: [{ model: 'x', state: 'done' }] }],
      }),
    );
    await expect(readRunFolder(bad)).rejects.toThrow(
      /run\.json: suites\[0\]\.cases\[0\]\.state must be "scored" or "errored"/,
    );
    await writeFile(
      path.join(bad, 'run.json'),
      JSON.stringify({
        ...run,
        suites: [{ ...run.suites[0], dataset: { ...run.suites[0].dataset, data_hash: undefined } }],
      }),
    );
    await expect(readRunFolder(bad)).rejects.toThrow(
      /run\.json: suites\[0\]\.dataset\.data_hash must be a string/,
    );
    await writeFile(path.join(bad, 'run.json'), JSON.stringify({ ...run, schema: 9 }));
    await expect(readRunFolder(bad)).rejects.toThrow(
      /schema is 9; this harness reads run records of schema 1/,
    );
    await writeFile(
      path.join(bad, 'run.json'),
      JSON.stringify({
        ...run,
        suites: [{ ...run.suites[0], cases: [{ ...run.suites[0].cases[0], model: 'ghost' }] }],
      }),
    );
    await expect(readRunFolder(bad)).rejects.toThrow(
      /results\.json: has no case for model "ghost" of suite "detectors"/,
    );
    await writeFile(path.join(bad, 'results.json'), '{');
    await expect(readRunFolder(bad)).rejects.toThrow(HarnessError);
  });

  // Each of these crashed the upload ("internal error: v.toFixed is not a function") and ended
  // `harness runs sync` there; now the run is skipped naming the file and the field.
  it.each([
    [
      'results.json',
      (j: any) => (j.suites[0].cases[0].metrics.roc_auc = '0.71'),
      'suites[0].cases[0].metrics.roc_auc must be a number or null',
    ],
    [
      'results.json',
      (j: any) => (j.suites[0].cases[0].confusion.tp = '3'),
      'suites[0].cases[0].confusion.tp must be a number',
    ],
    [
      'results.json',
      (j: any) => (j.suites[0].cases[0].ci.roc_auc = { low: 0.1 }),
      'suites[0].cases[0].ci.roc_auc must be { low, high, level } (numbers) or null',
    ],
    [
      'results.json',
      (j: any) => (j.suites[0].cases[0].threshold = 0.5),
      'suites[0].cases[0].threshold must be { value } (a number or null)',
    ],
    [
      'results.json',
      (j: any) => (j.suites[0].cases[0].breakdown.failure_type[1].n = null),
      'suites[0].cases[0].breakdown.failure_type[1].n must be a number',
    ],
    [
      'results.json',
      (j: any) => (j.suites[0].cases[0].lead_time[0].lo = '7'),
      'suites[0].cases[0].lead_time[0] must have a stratum, lo (a number) and hi (a number or null)',
    ],
    [
      'results.json',
      (j: any) => (j.suites[0].cases[0].undefined = { recall: 3 }),
      'suites[0].cases[0].undefined.recall must be a string',
    ],
    [
      'results.json',
      (j: any) => (j.suites[0].assertions = [{ state: 'passed', spec: { kind: 'metric' } }]),
      'suites[0].assertions[0].spec must name the model it is about',
    ],
    [
      'run.json',
      (j: any) => (j.suites[0].cases[0].timings_ms = { fit: 1 }),
      'suites[0].cases[0].timings_ms must be { fit, score } (numbers) or null',
    ],
    [
      'run.json',
      (j: any) => (j.suites[0].cases[0].cached = 'no'),
      'suites[0].cases[0].cached must be true or false',
    ],
  ])('%s damaged (%#): the file and the field are named', async (file, edit, message) => {
    const bad = path.join(tmp.dir, `damaged-${file}-${message.length}`);
    await cp(folder.dir, bad, { recursive: true });
    const json = JSON.parse(await readFile(path.join(bad, file), 'utf8'));
    edit(json);
    await writeFile(path.join(bad, file), JSON.stringify(json));
    const err = await readRunFolder(bad).then(
      (f) => f.cases.map((c) => caseRun(f.record, c, {})),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as Error).message).toBe(`${path.join(bad, file)}: ${message}`);
  });

  it('reads the scores of every scored case, and refuses the folder over a bad row', async () => {
    const s = folder.cases.find((c) => c.record.model === 'good')!.scores!;
    expect(s.y).toHaveLength(120);
    expect(Array.from(s.y).filter((v) => v === 1)).toHaveLength(40);
    expect(folder.cases.find((c) => c.record.model === 'crashy')!.scores).toBeNull();
    const bad = path.join(tmp.dir, 'bad-row');
    await cp(folder.dir, bad, { recursive: true });
    const file = path.join(bad, 'scores/detectors/good.csv');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(/\n([^,\n]+),anomaly,/, '\n$1,maybe,'));
    await expect(readRunFolder(bad)).rejects.toMatchObject({
      message: `${file}: not a scores file of a run record`,
      problems: [{ file, line: 2, message: expect.stringContaining(',maybe,') }],
    });
  });

  // Before, the uploader read these as whole files: a sync said "synced" and logged a
  // scores.csv and charts of systems the run never scored that way.
  it.each([
    ['cut inside a row', (t: string) => t.slice(0, -3), 'cut short (half-written or damaged)'],
    [
      'cut at a row boundary',
      (t: string) => t.split('\n').slice(0, -3).join('\n') + '\n',
      '118 row(s), but results.json counts n = 120 scored systems for this case: the file was cut short or edited; restore it, or remove the run',
    ],
  ])('a scores file %s refuses the folder, naming the file', async (name, cut, why) => {
    const bad = path.join(tmp.dir, `cut-${name.length}`);
    await cp(folder.dir, bad, { recursive: true });
    const file = path.join(bad, 'scores/detectors/good.csv');
    await writeFile(file, cut(await readFile(file, 'utf8')));
    await expect(readRunFolder(bad)).rejects.toThrow(`${file}: ${why}`);
  });
});
