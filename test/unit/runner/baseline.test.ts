import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baselinePath,
  compareWithBaseline,
  readBaseline,
  type BaselineFile,
} from '../../../src/runner/baseline.ts';
import type { SuiteResult } from '../../../src/runner/types.ts';
import { optionsHash } from '../../../src/stable-json.ts';
import { scoredCase } from '../assert/cases.ts';
import { tempDir } from '../../helpers/run-harness.ts';

const y = [1, 1, 1, 0, 0, 0, 0, 0];
const graded = scoredCase(y, [0.9, 0.8, 0.4, 0.5, 0.3, 0.2, 0.1, 0.05]);

/** A baseline of suite "gate" for model `a`, as writeBaseline writes it. */
function baseline(): BaselineFile {
  return {
    schema: 1,
    suite: 'gate',
    created_at: '2026-01-01T00:00:00.000Z',
    harness_version: '0.1.0',
    dataset: { kind: 'scenario', name: 'fleet', hash: 'h'.repeat(64) },
    models: {
      a: {
        version: '1',
        options_hash: optionsHash({}),
        metrics: graded.summary.metrics,
        ci: graded.summary.ci,
        strata: {},
        system_ids: [...graded.systemIds],
        labels: Array.from(graded.y),
        scores: Array.from(graded.scores),
      },
    },
  };
}

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('c-baseline-'));
  await mkdir(path.join(dir, '__baselines__'));
});
afterAll(() => cleanup());

const suiteFile = () => path.join(dir, 'gate.suite.ts');

async function read(edit: (b: Record<string, any>) => void): Promise<BaselineFile | null> {
  const b = JSON.parse(JSON.stringify(baseline())) as Record<string, any>; // a copy: edits must not reach graded
  edit(b);
  await writeFile(baselinePath(suiteFile(), 'gate'), JSON.stringify(b));
  return readBaseline(suiteFile(), 'gate');
}

describe('readBaseline', () => {
  it('reads the file writeBaseline writes', async () => {
    expect((await read(() => {}))?.models['a']?.metrics['roc_auc']).toBe(
      graded.summary.metrics['roc_auc'],
    );
  });

  it('a baseline edited by hand or from another suite is an error (exit 2), never "not gated" or a crash', async () => {
    const broken: [(b: Record<string, any>) => void, string][] = [
      [(b) => delete b.models.a.metrics.roc_auc, '"models.a.metrics.roc_auc" is missing'],
      [
        (b) => (b.models.a.metrics.roc_auc = '0.9'),
        '"models.a.metrics.roc_auc" is "0.9", not a number in [0, 1] or null',
      ],
      [(b) => delete b.models.a.scores, '"models.a.scores" is not a list of finite numbers'],
      [(b) => b.models.a.labels.pop(), '"models.a" has 8 system_ids, 7 labels and 8 scores'],
      [(b) => delete b.dataset, '"dataset.hash" is missing'],
      [(b) => (b.suite = 'other'), 'it is the baseline of suite "other", not of "gate"'],
      [(b) => (b.models = []), '"models" is not an object'],
    ];
    for (const [edit, problem] of broken)
      await expect(read(edit)).rejects.toThrow(
        `${baselinePath(suiteFile(), 'gate')}: not a baseline file (${problem})`,
      );
  });
});

describe('readBaseline: only a missing file is no baseline', () => {
  it('a baseline that cannot be read (a folder in its place) is an error, not an ungated suite', async () => {
    const other = path.join(dir, 'other.suite.ts');
    expect(await readBaseline(other, 'other')).toBeNull();
    await mkdir(baselinePath(other, 'other'));
    await expect(readBaseline(other, 'other')).rejects.toThrow(
      `${baselinePath(other, 'other')}: the baseline cannot be read (EISDIR)`,
    );
  });
});

describe('compareWithBaseline', () => {
  it('a model the baseline does not hold fails its gate until the baseline is updated', () => {
    const kase = (model: string) =>
      ({
        state: 'scored',
        suite: 'gate',
        model,
        version: '1',
        options: {},
        seed: 's',
        summary: graded.summary,
        systemIds: graded.systemIds,
        y: graded.y,
        scores: graded.scores,
        timings: { fitMs: 0, scoreMs: 0 },
      }) as const;
    const suite = {
      name: 'gate',
      file: suiteFile(),
      dataset: { kind: 'scenario', hash: 'h'.repeat(64) },
      threshold: 'fixed 0.5',
      cases: [kase('a'), kase('b')],
      assertions: [],
      durationMs: 1,
    } as unknown as SuiteResult;
    const report = compareWithBaseline(suite, baseline(), {
      tolerance: 0.02,
      alpha: 0.05,
      allowUnderpowered: true,
    });
    expect(report.gates.map((g) => [g.model, g.state])).toEqual([
      ['a', 'passed'],
      ['b', 'failed'],
    ]);
    expect(report.gates[1]!.message).toBe(
      'b is not in the baseline (it holds a), so it is not gated; run `harness run --update-baseline` to add it',
    );
  });

  it('a roc_auc undefined in the baseline fails the gate (it was "not gated" and held)', () => {
    const b = baseline();
    const old = { ...b, models: { a: { ...b.models['a']!, metrics: { roc_auc: null } } } };
    const suite = {
      name: 'gate',
      file: suiteFile(),
      dataset: { kind: 'scenario', hash: 'h'.repeat(64) },
      cases: [
        {
          state: 'scored',
          suite: 'gate',
          model: 'a',
          version: '1',
          options: {},
          seed: 's',
          summary: graded.summary,
          systemIds: graded.systemIds,
          y: graded.y,
          scores: graded.scores,
          timings: { fitMs: 0, scoreMs: 0 },
        },
      ],
      assertions: [],
    } as unknown as SuiteResult;
    const [gate] = compareWithBaseline(suite, old, { tolerance: 0.02, alpha: 0.05 }).gates;
    expect(gate!.state).toBe('failed');
    expect(gate!.message).toMatch(
      /^a roc_auc is undefined in the baseline \(now 0\.\d{3}\), so the gate cannot compare/,
    );
  });
});
