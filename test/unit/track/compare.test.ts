import { describe, expect, it } from 'vitest';
import { delongAuc, delongPairedTest } from '../../../src/metrics/delong.ts';
import { normalCdf } from '../../../src/metrics/normal.ts';
import {
  compareRuns,
  gateCoverage,
  significantDrops,
  type CaseComparison,
  type RunComparison,
} from '../../../src/track/compare.ts';
import { dataset, errored, fleet, loaded, run, scored, scoresFor, suite } from './fixture.ts';

/** ROC AUC by counting anomaly/normal pairs (ties ½): an independent check of the deltas. */
function pairAuc(y: readonly number[], s: readonly number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    for (let j = 0; j < y.length; j++) {
      if (y[i] !== 1 || y[j] !== 0) continue;
      pairs++;
      wins += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

const compared = (
  c: RunComparison,
  suiteName: string,
  model: string,
): Extract<CaseComparison, { status: 'compared' }> => {
  const k = c.suites.find((s) => s.name === suiteName)!.cases.find((x) => x.model === model)!;
  if (k.status !== 'compared') throw new Error(`${suiteName}/${model} is ${k.status}`);
  return k;
};

const F = fleet(40, 16);
const before = scoresFor(F, 0.3, 'before');

describe('compareRuns', () => {
  it('identical runs: no changes, every delta 0, the paired test reports p = 1', () => {
    const r = run([suite('s', [scored('s', 'm', F, before)], dataset(F))]);
    const c = compareRuns(loaded(r, 'A'), loaded(r, 'B'));
    expect(c.changes).toEqual([]);
    const k = compared(c, 's', 'm');
    expect(k.metrics.map((m) => m.name)).toEqual(
      Object.keys(
        r.suites[0]!.cases[0]!.state === 'scored' ? r.suites[0]!.cases[0]!.summary.metrics : {},
      ),
    );
    for (const m of k.metrics) if (m.before !== null) expect(m.delta, m.name).toBe(0);
    expect(k.metrics.find((m) => m.name === 'roc_auc')!.ci_before).toMatchObject({
      method: 'delong',
    });
    expect(k.strata.length).toBeGreaterThan(1);
    for (const s of k.strata) {
      expect(s.presence).toBe('both');
      if (s.roc_auc.before !== null) expect(s.roc_auc.delta).toBe(0);
    }
    expect(k.test).toMatchObject({ kind: 'paired', n: 40, diff: 0, p_value: 1 });
    expect(significantDrops(c, 0.05)).toEqual([]);
  });

  it('same systems in another order: deltas after − before and the paired DeLong test on the systems joined by id', () => {
    const after = scoresFor(F, 0.15, 'after');
    // The later run lists its systems in reverse: the join must go by system_id, not position.
    const order = F.ids.map((_, i) => F.ids.length - 1 - i);
    const R = {
      ids: order.map((i) => F.ids[i]!),
      y: order.map((i) => F.y[i]!),
      failureType: order.map((i) => F.failureType[i]!),
    };
    const a = run([
      suite('s', [scored('s', 'm', F, before, { options: { sensor: 'a' } })], dataset(F)),
    ]);
    const b = run(
      [
        suite(
          's',
          [
            scored(
              's',
              'm',
              R,
              order.map((i) => after[i]!),
              { options: { sensor: 'b' } },
            ),
          ],
          dataset(R),
        ),
      ],
      '2026-03-01T11:00:00.000Z',
    );
    const c = compareRuns(loaded(a, 'A'), loaded(b, 'B'));
    expect(c.changes).toEqual([
      { scope: 's/m', field: 'options', before: '{"sensor":"a"}', after: '{"sensor":"b"}' },
    ]);
    const k = compared(c, 's', 'm');
    const roc = k.metrics.find((m) => m.name === 'roc_auc')!;
    expect(roc.before).toBeCloseTo(pairAuc(F.y, before), 12);
    expect(roc.after).toBeCloseTo(pairAuc(F.y, after), 12);
    expect(roc.delta).toBeCloseTo(pairAuc(F.y, after) - pairAuc(F.y, before), 12);
    expect(roc.delta).not.toBe(0);
    const t = delongPairedTest(F.y, after, before);
    if (t.value === null) throw new Error(t.reason);
    expect(k.test).toMatchObject({ kind: 'paired', n: 40, note: null });
    if (k.test.kind !== 'paired') throw new Error('not paired');
    expect(k.test.diff).toBeCloseTo(t.diff, 12);
    expect(k.test.p_value).toBeCloseTo(t.pValue, 12);
    expect(k.test.auc_before).toBeCloseTo(pairAuc(F.y, before), 12);
  });

  it('per stratum: the breakdown cells before and after with their deltas', () => {
    const after = scoresFor(F, 0.6, 'after-strata');
    const a = run([suite('s', [scored('s', 'm', F, before)], dataset(F))]);
    const b = run([suite('s', [scored('s', 'm', F, after)], dataset(F))]);
    const k = compared(compareRuns(loaded(a, 'A'), loaded(b, 'B')), 's', 'm');
    const cell = k.strata.find(
      (s) => s.column === 'failure_type' && s.stratum === 'cell_imbalance',
    )!;
    // cell_imbalance has anomalies only: ranked against every normal (vs_all_normals).
    const members = F.y
      .map((l, i) => (F.failureType[i] === 'cell_imbalance' || l === 0 ? i : -1))
      .filter((i) => i >= 0);
    const auc = (s: readonly number[]) =>
      pairAuc(
        members.map((i) => F.y[i]!),
        members.map((i) => s[i]!),
      );
    expect(cell.roc_auc.before).toBeCloseTo(auc(before), 12);
    expect(cell.roc_auc.after).toBeCloseTo(auc(after), 12);
    expect(cell.roc_auc.delta).toBeCloseTo(auc(after) - auc(before), 12);
    expect(cell.recall.delta).toBe(cell.recall.after! - cell.recall.before!);
    expect(k.strata.map((s) => `${s.column}=${s.stratum}`)).toEqual([
      'failure_type=cell_imbalance',
      'failure_type=internal_short',
      'failure_type=none',
    ]);
  });

  it('different systems: not paired, says how many are shared, and falls back to the unpaired z-test', () => {
    const G = fleet(36, 14, 'sys');
    // 30 of the 40 earlier ids, and 6 new ones.
    const ids = [
      ...F.ids.slice(0, 14),
      ...F.ids.slice(24, 40),
      ...Array.from({ length: 6 }, (_, i) => `new-${i}`),
    ];
    const H = { ids, y: G.y, failureType: G.failureType };
    const later = scoresFor(H, 0.3, 'later');
    const a = run([suite('s', [scored('s', 'm', F, before)], dataset(F))]);
    const b = run([
      suite('s', [scored('s', 'm', H, later)], dataset(H, { dataHash: 'e'.repeat(64) })),
    ]);
    const c = compareRuns(loaded(a, 'A'), loaded(b, 'B'));
    expect(c.changes).toContainEqual({
      scope: 's',
      field: 'data_hash',
      before: 'b'.repeat(64),
      after: 'e'.repeat(64),
    });
    const k = compared(c, 's', 'm');
    expect(k.n).toEqual({ before: 40, after: 36 });
    const va = delongAuc(F.y, before);
    const vb = delongAuc(H.y, later);
    if (va.value === null || vb.value === null) throw new Error('undefined AUC');
    const z = (vb.auc - va.auc) / Math.sqrt(va.variance + vb.variance);
    expect(k.test).toMatchObject({
      kind: 'unpaired',
      reason: 'different systems (40 vs 36, 30 shared)',
      n_before: 40,
      n_after: 36,
      shared: 30,
    });
    if (k.test.kind !== 'unpaired') throw new Error('not unpaired');
    expect(k.test.z).toBeCloseTo(z, 12);
    expect(k.test.p_value).toBeCloseTo(2 * normalCdf(-Math.abs(z)), 12);
    // An unpaired test never fails --fail-on-drop, however small its p-value.
    expect(significantDrops(c, 1 - 1e-9)).toEqual([]);
  });

  it('the same systems with a label changed are not paired either; label_version and labels_hash show why', () => {
    const relabelled = { ...F, y: F.y.map((l, i) => (i === 39 ? 1 : l)) };
    const a = run([suite('s', [scored('s', 'm', F, before)], dataset(F))]);
    const b = run([
      suite(
        's',
        [scored('s', 'm', relabelled, before)],
        dataset(relabelled, { labelVersion: 2, labelsHash: '9'.repeat(64) }),
      ),
    ]);
    const c = compareRuns(loaded(a, 'A'), loaded(b, 'B'));
    expect(
      c.changes.filter((ch) => ch.scope === 's').map((ch) => [ch.field, ch.before, ch.after]),
    ).toEqual([
      ['label_version', 1, 2],
      ['labels_hash', 'c'.repeat(64), '9'.repeat(64)],
    ]);
    expect(compared(c, 's', 'm').test).toMatchObject({
      kind: 'unpaired',
      reason: 'the same 40 systems, 1 with another label',
      shared: 40,
    });
  });

  it('a significant paired ROC AUC drop is what --fail-on-drop fails on; a gain or a larger p is not', () => {
    const strong = scoresFor(F, 1.2, 'strong');
    const weak = scoresFor(F, 0, 'weak');
    const good = run([suite('s', [scored('s', 'm', F, strong)], dataset(F))]);
    const bad = run([suite('s', [scored('s', 'm', F, weak)], dataset(F))]);
    const drop = compareRuns(loaded(good, 'A'), loaded(bad, 'B'));
    const t = compared(drop, 's', 'm').test;
    if (t.kind !== 'paired' || t.p_value === null || t.diff === null)
      throw new Error('expected a paired test with a p-value');
    expect(t.diff).toBeLessThan(0);
    expect(t.p_value).toBeLessThan(0.05);
    expect(significantDrops(drop, 0.05)).toEqual([
      { suite: 's', model: 'm', diff: t.diff, p_value: t.p_value },
    ]);
    expect(significantDrops(drop, t.p_value / 2)).toEqual([]);
    expect(significantDrops(compareRuns(loaded(bad, 'A'), loaded(good, 'B')), 0.05)).toEqual([]);
  });

  it('gateCoverage: what --fail-on-drop judged, and every earlier case it could not (a crash in the later run is a failure)', () => {
    const weak = scoresFor(F, 0, 'weak');
    const G = fleet(40, 16, 'oth');
    const a = run([
      suite(
        's',
        [
          scored('s', 'm', F, before),
          scored('s', 'gone', F, before),
          scored('s', 'crashy', F, before),
        ],
        dataset(F),
      ),
      suite('moved', [scored('moved', 'm', F, before)], dataset(F)),
      suite('broke', [scored('broke', 'm', F, before)], dataset(F)),
    ]);
    const b = run([
      suite(
        's',
        [
          scored('s', 'm', F, weak),
          errored('s', 'crashy', 'score(sys-003): boom\nat line 2'),
          scored('s', 'new', F, weak),
        ],
        dataset(F),
      ),
      suite('moved', [scored('moved', 'm', G, weak)], dataset(G)),
      suite('broke', [], null),
    ]);
    const { judged, unjudged } = gateCoverage(compareRuns(loaded(a, 'A'), loaded(b, 'B')));
    expect(judged).toBe(1); // s/m; s/new has nothing before it
    expect(unjudged).toEqual([
      { suite: 's', model: 'gone', reason: 'only in the earlier run', failed: false },
      {
        suite: 's',
        model: 'crashy',
        reason: 'errored in the later run: score(sys-003): boom',
        failed: true,
      },
      {
        suite: 'moved',
        model: 'm',
        reason: 'not paired: different systems (40 vs 40, 0 shared)',
        failed: false,
      },
      {
        suite: 'broke',
        model: 'm',
        reason: 'its suite could not run in the later run: the dataset could not be loaded',
        failed: true,
      },
    ]);
    // Different models or suites only: nothing judged, which --fail-on-drop must not pass.
    const other = run([suite('t', [scored('t', 'n', F, weak)], dataset(F))]);
    expect(gateCoverage(compareRuns(loaded(a, 'A'), loaded(other, 'B'))).judged).toBe(0);
  });

  it('cases and suites in one run only are added or removed; errored cases are shown as such; git and seed changes come first', () => {
    const a = run([
      suite(
        's',
        [
          scored('s', 'm', F, before),
          scored('s', 'old', F, before),
          scored('s', 'flaky', F, before),
        ],
        dataset(F),
      ),
      suite('gone', [scored('gone', 'm', F, before)], dataset(F)),
    ]);
    const b = run(
      [
        suite(
          's',
          [
            scored('s', 'm', F, before),
            errored('s', 'flaky', 'score(sys-003): boom'),
            scored('s', 'new', F, before),
          ],
          dataset(F),
        ),
        suite('broken', [], null),
      ],
      '2026-03-02T10:00:00.000Z',
      'other-seed',
    );
    const c = compareRuns(
      loaded(a, 'A', { commit: '1'.repeat(40), dirty: false }),
      loaded(b, 'B', { commit: '2'.repeat(40), dirty: true }),
    );
    expect(c.changes.slice(0, 3)).toEqual([
      { scope: 'run', field: 'git commit', before: '1'.repeat(40), after: '2'.repeat(40) },
      { scope: 'run', field: 'uncommitted changes', before: false, after: true },
      { scope: 'run', field: 'seed', before: 'unit', after: 'other-seed' },
    ]);
    expect(c.changes).toContainEqual({
      scope: 's/m',
      field: 'seed',
      before: 'unit:s:m',
      after: 'other-seed:s:m',
    });
    expect(c.suites.map((s) => [s.name, s.presence])).toEqual([
      ['s', 'both'],
      ['gone', 'removed'],
      ['broken', 'added'],
    ]);
    expect(c.suites[2]!.error).toEqual({ before: null, after: 'the dataset could not be loaded' });
    const cases = c.suites[0]!.cases.map((k) => [k.model, k.status]);
    expect(cases).toEqual([
      ['m', 'compared'],
      ['old', 'removed'],
      ['flaky', 'errored'],
      ['new', 'added'],
    ]);
    expect(c.suites[0]!.cases[2]).toEqual({
      model: 'flaky',
      status: 'errored',
      before: { state: 'scored', error: null },
      after: { state: 'errored', error: 'score(sys-003): boom' },
    });
    expect(c.suites[1]!.cases).toEqual([
      { model: 'm', status: 'removed', state: { state: 'scored', error: null } },
    ]);
    expect(c.before).toMatchObject({ run_id: 'A', exit_code: 0 });
    expect(c.after).toMatchObject({ run_id: 'B', exit_code: 2 });
  });
});
