/**
 * A suite's precomputed scores (`scores: { path }`), as a Spark job would leave them: judged like a
 * model's case. The reference is a model in the same suite that returns the same numbers from the
 * same file, so every metric, breakdown, threshold and assertion of the two cases must agree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from '../../src/index.ts';
import type { CaseResult, SuiteResult } from '../../src/index.ts';
import { makeProject, runHarness } from '../helpers/run-harness.ts';

/** A model that scores each system with the number `scores.csv` gives it (fit learns nothing). */
const LOOKUP = `import { readFileSync } from 'node:fs';
import { defineModel, defineSuite } from 'bess-harness';
const table = new Map(readFileSync(new URL('../scores/spark-iforest.csv', import.meta.url), 'utf8')
  .trim().split('\\n').slice(1).map((l) => l.split(',')).map(([id, s]) => [id, Number(s)]));
const lookup = defineModel({ name: 'lookup', version: '1', score: (series) => table.get(series.systemId) });
`;

function suite(name: string, extra: string): string {
  return `defineSuite({ name: '${name}', dataset: { path: 'fleet' }, ${extra} })`;
}

const SUITES = `${LOOKUP}
export default [
  ${suite(
    'split',
    `split: { test: 0.5, seed: 3 }, models: [lookup], scores: { path: 'scores/spark-iforest.csv' },
    expect: ({ metric, model }) => [
      metric('spark-iforest', 'roc_auc').toBeGreaterThan(0.5),
      metric('spark-iforest', 'average_precision').toBeWithin(0, 1),
      model('spark-iforest').toBeat('lookup'),
    ]`,
  )},
  ${suite('folds', `split: { folds: 3, seed: 3 }, models: [lookup], scores: [{ path: 'scores/spark-iforest.csv', name: 'spark' }]`)},
  ${suite('alone', `scores: { path: 'scores/spark-iforest.csv' }, expect: ({ metric }) => [metric('spark-iforest', 'roc_auc').toBeGreaterThan(0.5)]`)},
  ${suite('parquet', `scores: { path: 'scores/spark-iforest.parquet' }`)},
  ${suite('missing', `models: [lookup], scores: { path: 'scores/nowhere.csv' }`)},
  ${suite('mismatch', `scores: { path: 'scores/mismatch.csv' }`)},
];
`;

let project: Awaited<ReturnType<typeof makeProject>>;
let suites: readonly SuiteResult[];
let exitCode: number;
let ids: string[];

beforeAll(async () => {
  project = await makeProject({
    'harness.config.ts': 'export default { workers: 1 };\n',
    'suites/s.suite.ts': SUITES,
  });
  const gen = await runHarness(
    [
      'generate',
      '--systems',
      '40',
      '--days',
      '1',
      '--interval',
      '1h',
      '--seed',
      'scores',
      '--out',
      'fleet',
    ],
    { cwd: project.dir },
  );
  expect(gen.code, gen.stderr).toBe(0);
  // Scores that rank anomalies higher on the whole, with ties and overlap: a realistic, imperfect model.
  const labels = readFileSync(path.join(project.dir, 'fleet', 'labels.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  ids = labels.map(([id]) => id!);
  const rows = labels.map(
    ([id, label], i) => `${id},${(label === 'anomaly' ? 0.4 : 0) + ((i * 37) % 11) / 10}`,
  );
  const { mkdir } = await import('node:fs/promises');
  await mkdir(path.join(project.dir, 'scores'));
  writeFileSync(
    path.join(project.dir, 'scores', 'spark-iforest.csv'),
    ['system_id,score', ...rows, ''].join('\n'),
  );
  // The same scores as Parquet, as a Spark job writes them (docs/spark.md).
  writeFileSync(
    path.join(project.dir, 'scores', 'spark-iforest.parquet'),
    new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: 'system_id', data: rows.map((r) => r.split(',')[0]!), type: 'STRING' },
          { name: 'score', data: rows.map((r) => Number(r.split(',')[1])), type: 'DOUBLE' },
        ],
      }),
    ),
  );
  // One system left out, one id the dataset does not have (line 3 of the file).
  writeFileSync(
    path.join(project.dir, 'scores', 'mismatch.csv'),
    ['system_id,score', ...rows.slice(1, 2), 'not-a-system,0.5', ...rows.slice(2), ''].join('\n'),
  );
  const harness = await createHarness({ cwd: project.dir });
  const run = await harness.run({}, { reporters: [], record: false, cache: false });
  suites = run.result.suites;
  exitCode = run.exitCode;
}, 120_000);
afterAll(() => project.cleanup());

function suiteNamed(name: string): SuiteResult {
  const s = suites.find((x) => x.name === name);
  if (!s) throw new Error(`no suite ${name}`);
  return s;
}

function scored(s: SuiteResult, model: string): Extract<CaseResult, { state: 'scored' }> {
  const c = s.cases.find((x) => x.model === model);
  if (c?.state !== 'scored')
    throw new Error(`${model}: ${c?.state === 'errored' ? c.error : 'no case'}`);
  return c;
}

describe('a suite with scores: { path }', () => {
  it('judges the scores as it judges a model giving the same scores: metrics, breakdowns, threshold', () => {
    for (const [name, model] of [
      ['split', 'spark-iforest'],
      ['folds', 'spark'],
    ] as const) {
      const s = suiteNamed(name);
      expect(s.error).toBeUndefined();
      const file = scored(s, model);
      const lookup = scored(s, 'lookup');
      expect(file.systemIds).toEqual(lookup.systemIds);
      expect(Array.from(file.scores)).toEqual(Array.from(lookup.scores));
      expect(file.summary).toEqual(lookup.summary);
      expect(file.version).toMatch(/^scores-[0-9a-f]{12}$/);
      expect(file.options).toEqual({ scores: expect.stringContaining('spark-iforest.csv') });
    }
    // The split judged the test half; the folds every system once.
    expect(scored(suiteNamed('split'), 'spark-iforest').systemIds.length).toBe(ids.length / 2);
    expect([...scored(suiteNamed('folds'), 'spark').systemIds].sort()).toEqual([...ids].sort());
  });

  it('reads Parquet scores as the CSV of the same scores', () => {
    const parquet = scored(suiteNamed('parquet'), 'spark-iforest');
    const csv = scored(suiteNamed('alone'), 'spark-iforest');
    expect(Array.from(parquet.scores)).toEqual(Array.from(csv.scores));
    expect(parquet.summary).toEqual(csv.summary);
  });

  it('grades assertions about the scores case, and a suite needs no models', () => {
    const split = suiteNamed('split');
    expect(split.assertions.map((a) => a.state)).toEqual(['passed', 'passed', 'failed']); // ties: it cannot beat itself
    const alone = suiteNamed('alone');
    expect(alone.cases.map((c) => [c.model, c.state])).toEqual([['spark-iforest', 'scored']]);
    expect(alone.assertions.map((a) => a.state)).toEqual(['passed']);
  });

  it('--model selects a scores case by its name', async () => {
    const harness = await createHarness({ cwd: project.dir });
    const picked = await harness.collect({ models: ['spark-iforest'] });
    expect(picked.map((s) => s.spec.name)).toEqual(['split', 'alone', 'parquet']);
  });

  it('a missing file or ids that do not match the dataset fail that case (exit 2), not the others', () => {
    const missing = suiteNamed('missing');
    expect(scored(missing, 'lookup').state).toBe('scored');
    const gone = missing.cases.find((c) => c.model === 'nowhere');
    expect(gone?.state).toBe('errored');
    expect(gone?.state === 'errored' && gone.error).toMatch(
      /the scores file \S*scores\/nowhere\.csv does not exist/,
    );
    const bad = suiteNamed('mismatch').cases[0]!;
    expect(bad.state).toBe('errored');
    const error = bad.state === 'errored' ? bad.error : '';
    expect(error).toContain('1 score(s) name no system of the dataset');
    expect(error).toContain(`1 system(s) of the dataset have no score: ${ids[0]}`);
    expect(error).toMatch(/mismatch\.csv:3:1: system not-a-system is not in the suite's dataset/);
    expect(exitCode).toBe(2);
  });
});
