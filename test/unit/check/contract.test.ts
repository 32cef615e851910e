import { describe, expect, it } from 'vitest';
import { checkContract } from '../../../src/check/contract.ts';
import { contractHolds, formatContractReport } from '../../../src/check/format.ts';
import { isRefusal } from '../../../src/check/calls.ts';
import type { ContractReport, ViolationKind } from '../../../src/check/types.ts';
import { defineModel, type ModelPlugin } from '../../../src/plugin/model.ts';
import brokenAllNan from '../../../examples/broken-all-nan/index.ts';
import random from '../../../plugins/random/index.ts';
import zscore from '../../../plugins/zscore/index.ts';
import pca from '../../../plugins/pca/index.ts';
import { datasetOf, inMemoryRecord } from '../../../src/data/in-memory.ts';

const SEED = 7;

const kinds = (r: ContractReport): ViolationKind[] => r.violations.map((v) => v.kind);
const statuses = (r: ContractReport): Record<string, string> =>
  Object.fromEntries(r.rules.map((x) => [x.kind, x.status]));

/** Mean of the finite readings of a sensor (0 when absent or all NaN): a well-behaved score. */
function meanOf(col: Float64Array | undefined): number {
  let sum = 0;
  let n = 0;
  for (const v of col ?? []) if (v === v) ((sum += v), n++);
  return n > 0 ? sum / n : 0;
}

describe('checkContract on the broken example', () => {
  it('catches the all-NaN sensor as non_finite with a one-system shrunk fixture', async () => {
    const report = await checkContract(() => brokenAllNan(), { seed: SEED });
    expect(kinds(report)).toEqual(['non_finite']);
    const v = report.violations[0]!;
    expect(v.message).toBe('score(sys-0) returned NaN; a score must be a finite number');
    const lines = v.fixture.split('\n');
    expect(lines[0]).toMatch(/^1 system /);
    expect(lines.filter((l) => /^sys-\d/.test(l))).toHaveLength(1);
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}temp_cell_max_c: all NaN \(\d+ samples?\)$/),
    );
    // Shrunk: the all-NaN column is the only sensor left.
    expect(
      lines.filter((l) => /^ {2}[a-z_]+: /.test(l) && !/^ {2}(timestamps|absent):/.test(l)),
    ).toHaveLength(1);
    expect(v.seed).toBe(SEED);
    expect(v.replay).toBe(
      `harness check broken-all-nan --seed ${SEED} --path ${v.path} --rule non_finite`,
    );
    expect(statuses(report)).toMatchObject({
      throws: 'held',
      wrong_system: 'held',
      nondeterministic: 'held',
      time_shift: 'not_declared',
      unit_scale: 'not_declared',
    });
  });

  it('replays the reported counterexample from its seed and path', async () => {
    const first = (await checkContract(() => brokenAllNan(), { seed: SEED, rules: ['non_finite'] }))
      .violations[0]!;
    const replay = await checkContract(() => brokenAllNan(), {
      seed: first.seed,
      path: first.path,
      rules: ['non_finite'],
    });
    expect(replay.violations).toHaveLength(1);
    expect(replay.violations[0]!.message).toBe(first.message);
    expect(replay.violations[0]!.fixture).toBe(first.fixture);
  });

  it('a replay whose counterexample no longer fails is not_reproduced, whatever the fleets after it do', async () => {
    const first = (await checkContract(() => brokenAllNan(), { seed: SEED, rules: ['non_finite'] }))
      .violations[0]!;
    const replay = await checkContract(() => random(), {
      seed: first.seed,
      path: first.path,
      rules: ['non_finite'],
    });
    expect(replay.violations).toEqual([]);
    expect(replay.rules[0]).toMatchObject({ kind: 'non_finite', status: 'not_reproduced' });
    expect(replay.rules[0]!.note).toMatch(/no longer fails: the rule holds on it/);
  });

  it('a replay path that names no fleet of the seed is an error, not a rule that held', async () => {
    await expect(
      checkContract(() => random(), { seed: SEED, path: '3:99999', rules: ['non_finite'] }),
    ).rejects.toThrow(/--path 3:99999: the seed \d+ has no fleet at that path for rule non_finite/);
  });

  it('rules that all do not apply do not make the contract hold', async () => {
    const report = await checkContract(() => brokenAllNan(), { seed: SEED, rules: ['time_shift'] });
    expect(report.rules.map((r) => r.status)).toEqual(['not_declared']);
    expect(contractHolds(report)).toBe(false);
    expect(formatContractReport(report)).toMatch(
      /contract not checked: none of the rules asked for applies/,
    );
  });

  it('is reproducible: the same seed finds the same counterexample', async () => {
    const a = await checkContract(() => brokenAllNan(), {
      seed: 99,
      rules: ['non_finite'],
      numRuns: 50,
    });
    const b = await checkContract(() => brokenAllNan(), {
      seed: 99,
      rules: ['non_finite'],
      numRuns: 50,
    });
    expect(b.violations).toEqual(a.violations);
  });
});

describe('checkContract on the baselines', () => {
  it('random holds every rule, including both invariances', async () => {
    const report = await checkContract(() => random(), { seed: SEED });
    expect(report.violations).toEqual([]);
    expect(statuses(report)).toEqual({
      throws: 'held',
      non_finite: 'held',
      wrong_system: 'held',
      nondeterministic: 'held',
      state_roundtrip: 'not_declared',
      time_shift: 'held',
      unit_scale: 'held',
    });
  });

  it('zscore holds every rule; fit refuses fleets without usable normals', async () => {
    // Pooled (`condition: 'none'`) it promises unit-scale invariance too; by state (the default)
    // its bins are in SOC % and C-rate, so it does not.
    const pooled = await checkContract(() => zscore({ condition: 'none' }), { seed: SEED });
    expect(pooled.violations).toEqual([]);
    expect(statuses(pooled).unit_scale).toBe('held');
    const report = await checkContract(() => zscore(), { seed: SEED });
    expect(report.violations).toEqual([]);
    expect(statuses(report)).toEqual({
      throws: 'held',
      non_finite: 'held',
      wrong_system: 'held',
      nondeterministic: 'held',
      state_roundtrip: 'held',
      time_shift: 'held',
      unit_scale: 'not_declared',
    });
    expect(report.refused).toBeGreaterThan(0);
    expect(report.refusals.every((m) => m.startsWith('zscore: '))).toBe(true);
  });

  it('zscore refuses a pool that is constant up to rounding, in every unit (the case the check found)', async () => {
    const fit = async (volts: readonly [number, number][]) => {
      const series = {
        systemId: 'sys-0',
        source: 'synthetic' as const,
        timestamps: Float64Array.from(volts, (_, i) => i * 60_000),
        sensors: {
          cell_voltage_max_v: Float64Array.from(volts, (v) => v[0]),
          cell_voltage_min_v: Float64Array.from(volts, (v) => v[1]),
        },
      };
      const label = {
        system_id: 'sys-0',
        label: 'normal' as const,
        failure_type: 'none' as const,
        lead_time_days: null,
        source: 'synthetic' as const,
        label_version: 1,
      };
      const metadata = {
        system_id: 'sys-0',
        source: 'synthetic' as const,
        operational_mode: 'backup' as const,
        season: 'winter' as const,
        scenario_tags: [],
      };
      return zscore().fit!(datasetOf([inMemoryRecord(label, metadata, series)]), {
        seed: 's',
        signal: new AbortController().signal,
      });
    };
    // (3.1 − 3) · 1000 = 100.00000000000009 and (3.127 − 3.027) · 1000 = 99.99999999999964: a
    // 1e-13 "spread" the old check accepted (z ≈ 1e13); in mV (× 1000) both are exactly 100000.
    await expect(
      fit([
        [3.1, 3],
        [3.127, 3.027],
        [3.1, 3],
      ]),
    ).rejects.toThrow(/is constant/);
    await expect(
      fit([
        [3100, 3000],
        [3127, 3027],
        [3100, 3000],
      ]),
    ).rejects.toThrow(/is constant/);
    await expect(
      fit([
        [3.1, 3],
        [3.128, 3.027],
        [3.1, 3],
      ]),
    ).resolves.toBeUndefined();
  });

  it('pca holds every rule it applies to; it does not claim unit-scale invariance (5 A rest threshold, scale-1 features)', async () => {
    const report = await checkContract(() => pca(), { seed: SEED });
    expect(report.violations).toEqual([]);
    expect(statuses(report)).toEqual({
      throws: 'held',
      non_finite: 'held',
      wrong_system: 'held',
      nondeterministic: 'held',
      state_roundtrip: 'held',
      time_shift: 'held',
      unit_scale: 'not_declared',
    });
    expect(report.refusals.every((m) => m.startsWith('pca: needs at least 2 normal systems'))).toBe(
      true,
    );
  });

  it('pca, were it to claim unit-scale invariance, is caught', async () => {
    const report = await checkContract(
      () => ({ ...pca(), invariantTo: { timeShift: true, unitScale: true } }),
      { seed: SEED, rules: ['unit_scale'] },
    );
    expect(kinds(report)).toEqual(['unit_scale']);
  });
});

describe('checkContract catches broken plugins', () => {
  it('a saveState that leaves out part of what score reads is state_roundtrip', async () => {
    const make = () => {
      let center = 0;
      let spread = 1;
      return defineModel({
        name: 'forgetful',
        version: '1',
        fit(train) {
          center = train.systems.length;
          spread = 2 + train.systems.length;
        },
        score: (s) => (meanOf(s.sensors.soc_pct) - center) / spread,
        // Only the center travels: a restored instance divides by the default spread.
        saveState: () => ({ center }),
        restoreState(state) {
          center = (state as { center: number }).center;
        },
      });
    };
    const report = await checkContract(make, { seed: SEED, rules: ['state_roundtrip'] });
    expect(kinds(report)).toEqual(['state_roundtrip']);
    expect(report.violations[0]!.message).toMatch(
      /^score\(sys-\d+\) is .* from the fitted instance but .* from another instance restored from its saveState\(\)/,
    );
  });

  it('a state a worker cannot receive (a function) is state_roundtrip', async () => {
    const make = () =>
      defineModel({
        name: 'closure-state',
        version: '1',
        fit() {},
        score: () => 1,
        saveState: () => ({ f: () => 1 }),
        restoreState() {},
      });
    const report = await checkContract(make, { seed: SEED, rules: ['state_roundtrip'] });
    expect(report.violations[0]?.message).toMatch(
      /^saveState\(\) did not give data a worker can receive: DataCloneError/,
    );
  });

  it('a restoreState that never settles is state_roundtrip at its timeout (it hung the check)', async () => {
    const make = () =>
      defineModel({
        name: 'restore-hangs',
        version: '1',
        timeoutMs: 50,
        fit() {},
        score: () => 1,
        saveState: () => ({ a: 1 }),
        restoreState: () => new Promise<void>(() => {}),
      });
    const report = await checkContract(make, {
      seed: SEED,
      rules: ['state_roundtrip'],
      numRuns: 2,
    });
    expect(report.violations[0]?.message).toBe(
      'restoreState ran past its 50 ms timeout; the check stops here (each later call would wait out the timeout too)',
    );
  });

  it('stops at the first call that hangs: one wait, that fleet reported, the later rules not run', async () => {
    // score hangs from the third system of a fleet on: every later pass would wait out the timeout.
    let hung = 0;
    const make = () =>
      defineModel({
        name: 'hangs',
        version: '1',
        timeoutMs: 50,
        score: (series) =>
          series.timestamps.length > 3
            ? new Promise<number>(() => void hung++)
            : series.timestamps.length,
      });
    const report = await checkContract(make, { seed: SEED, numRuns: 25 });
    expect(hung).toBe(1);
    expect(report.violations).toHaveLength(1);
    const v = report.violations[0]!;
    expect(v.message).toMatch(/^score\(.+\) ran past its 50 ms timeout; the check stops here/);
    const later = report.rules.slice(report.rules.findIndex((r) => r.kind === v.kind) + 1);
    expect(later.length).toBeGreaterThan(0);
    for (const r of later) {
      expect(r.status).toBe('inconclusive');
      expect(r.note).toBe(`not run: the plugin hung in ${v.kind} (a call ran past its timeout)`);
    }
  });

  it('every instance a pass makes is torn down, the restored copy too', async () => {
    let made = 0;
    let tornDown = 0;
    const make = () => {
      made++;
      return defineModel({
        name: 'counted',
        version: '1',
        fit() {},
        score: () => 1,
        saveState: () => ({}),
        restoreState() {},
        teardown: () => void tornDown++,
      });
    };
    const report = await checkContract(make, {
      seed: SEED,
      rules: ['state_roundtrip'],
      numRuns: 3,
    });
    expect(statuses(report).state_roundtrip).toBe('held');
    // The probe instance is never called (it only tells which rules apply).
    expect(tornDown).toBe(made - 1);
  });

  it('a plugin that keeps state across score calls is wrong_system', async () => {
    const stateful = (): ModelPlugin => {
      let seen = 0;
      let sum = 0;
      return defineModel({
        name: 'running-mean',
        version: '1',
        // Scores each system against the mean of the systems scored before it: order-dependent.
        score(series) {
          const m = meanOf(series.sensors.temp_cell_max_c);
          const ref = seen > 0 ? sum / seen : m;
          seen++;
          sum += m;
          return Math.abs(m - ref) + seen;
        },
      });
    };
    const report = await checkContract(stateful, { seed: SEED });
    expect(kinds(report)).toEqual(['wrong_system']);
    const v = report.violations[0]!;
    expect(v.fixture).toMatch(/^2 systems /);
    expect(v.message).toMatch(/depends on the other systems scored before it/);
  });

  it('a plugin whose scoreBatch disagrees with score is wrong_system', async () => {
    const batchy = (): ModelPlugin =>
      defineModel({
        name: 'batchy',
        version: '1',
        score: (series) => meanOf(series.sensors.soc_pct),
        scoreBatch: (all) => all.map((s) => meanOf(s.sensors.soc_pct)).reverse(),
      });
    const report = await checkContract(batchy, { seed: SEED, rules: ['wrong_system'] });
    expect(kinds(report)).toEqual(['wrong_system']);
    expect(report.violations[0]!.message).toMatch(/^scoreBatch gave sys-\d/);
  });

  it('a plugin using Math.random is nondeterministic (and reported once)', async () => {
    const dice = (): ModelPlugin =>
      defineModel({ name: 'dice', version: '1', score: () => Math.random() });
    const report = await checkContract(dice, { seed: SEED });
    expect(kinds(report)).toEqual(['nondeterministic']);
    expect(report.violations[0]!.fixture).toMatch(/^1 system /);
  });

  it('a plugin declaring unitScale invariance but using a raw threshold is caught', async () => {
    const hot = (): ModelPlugin =>
      defineModel({
        name: 'hot-cells',
        version: '1',
        invariantTo: { timeShift: true, unitScale: true },
        // Share of readings above 45 °C: a threshold in °C, so × 1000 changes the score.
        score(series) {
          const col = series.sensors.temp_cell_max_c;
          if (!col || col.length === 0) return 0;
          let hot = 0;
          for (const v of col) if (v > 45) hot++;
          return hot / col.length;
        },
      });
    const report = await checkContract(hot, { seed: SEED });
    expect(kinds(report)).toEqual(['unit_scale']);
    const v = report.violations[0]!;
    expect(v.fixture).toMatch(/transformed: every sensor value × (1000|0\.001|3\.7)$/);
    expect(v.fixture).toMatch(/temp_cell_max_c: /);
    expect(statuses(report).time_shift).toBe('held');
  });

  it('a plugin reading absolute timestamps while declaring timeShift is caught', async () => {
    const clock = (): ModelPlugin =>
      defineModel({
        name: 'clock',
        version: '1',
        invariantTo: { timeShift: true },
        score: (s) => (s.timestamps[0] ?? 0) / 1e12,
      });
    const report = await checkContract(clock, { seed: SEED, rules: ['time_shift'] });
    expect(kinds(report)).toEqual(['time_shift']);
    expect(report.violations[0]!.fixture).toMatch(/transformed: every timestamp [+-]/);
  });

  it('a crash in fit (TypeError) is a throws violation, a refusal (Error with a message) is not', async () => {
    const crashing = (): ModelPlugin =>
      defineModel({
        name: 'crashing',
        version: '1',
        async fit(train) {
          for (const s of train.systems) {
            const col = (await s.loadSeries()).sensors.soc_pct;
            if (col!.length < 0) return; // reads a possibly absent column
          }
        },
        score: () => 0,
      });
    const report = await checkContract(crashing, { seed: SEED, rules: ['throws'] });
    expect(kinds(report)).toEqual(['throws']);
    expect(report.violations[0]!.message).toMatch(/^fit threw TypeError: /);
    expect(report.violations[0]!.fixture).toMatch(/absent: .*soc_pct|absent: every sensor/);

    expect(isRefusal(new Error('no normals in the training split'))).toBe(true);
    expect(isRefusal(new TypeError('x is undefined'))).toBe(false);
    expect(isRefusal(new Error(''))).toBe(false);
    expect(isRefusal('no normals')).toBe(false);
  });

  it('a score that throws is a throws violation naming the system', async () => {
    const picky = (): ModelPlugin =>
      defineModel({
        name: 'picky',
        version: '1',
        score(series) {
          if (series.timestamps.length < 3) throw new Error('need at least 3 samples');
          return 0;
        },
      });
    const report = await checkContract(picky, { seed: SEED });
    expect(kinds(report)).toEqual(['throws']);
    expect(report.violations[0]!.message).toBe('score(sys-0) threw Error: need at least 3 samples');
    expect(report.violations[0]!.fixture).toMatch(/^1 system /);
  });

  it('a fit that refuses every fleet leaves the rules inconclusive, not passed', async () => {
    const never = (): ModelPlugin =>
      defineModel({
        name: 'never',
        version: '1',
        fit: () => {
          throw new Error('needs 100 normals');
        },
        score: () => 0,
      });
    const report = await checkContract(never, { seed: SEED, numRuns: 5, rules: ['throws'] });
    expect(report.violations).toEqual([]);
    expect(statuses(report)).toEqual({ throws: 'inconclusive' });
  });

  it('says why a rule was skipped: wrong_system of a model without fit whose scores change between passes', async () => {
    // It said "fit refused … fleets and accepted only 0" of a model that has no fit.
    const noisy = (): ModelPlugin =>
      defineModel({ name: 'noisy', version: '1', score: () => Math.random() });
    const report = await checkContract(noisy, { seed: SEED, numRuns: 5, rules: ['wrong_system'] });
    const rule = report.rules.find((r) => r.kind === 'wrong_system')!;
    expect(rule.status).toBe('inconclusive');
    expect(rule.note).toMatch(
      /^skipped \d+ fleets \(the scores changed between passes, see rule nondeterministic\) and checked only 0: the rule could not be exercised$/,
    );
    expect(rule.note).not.toContain('fit refused');
  });

  it('says fit refused when it did', async () => {
    const never = (): ModelPlugin =>
      defineModel({
        name: 'never',
        version: '1',
        fit: () => {
          throw new Error('needs 100 normals');
        },
        score: () => 0,
      });
    const report = await checkContract(never, { seed: SEED, numRuns: 5, rules: ['wrong_system'] });
    expect(report.rules[0]!.note).toMatch(/^skipped \d+ fleets \(fit refused\) and checked only 0/);
  });
});
