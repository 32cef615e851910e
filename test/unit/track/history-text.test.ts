import chalk, { type ColorSupportLevel } from 'chalk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deltaColour, formatComparison, signed } from '../../../src/track/compare-text.ts';
import { formatRunsTable } from '../../../src/track/runs-text.ts';
import { compareRuns } from '../../../src/track/compare.ts';
import type { RunOverview } from '../../../src/track/overview.ts';
import { dataset, errored, fleet, loaded, run, scored, scoresFor, suite } from './fixture.ts';

let level: ColorSupportLevel;
beforeAll(() => {
  level = chalk.level;
  chalk.level = 0;
});
afterAll(() => {
  chalk.level = level;
});

const F = fleet(40, 16);

describe('formatComparison', () => {
  it('says what changed, then per model the test, the metric table and the strata that moved', () => {
    const a = run([
      suite(
        's',
        [
          scored('s', 'm', F, scoresFor(F, 1.2, 'strong')),
          scored('s', 'old', F, scoresFor(F, 0.3, 'o')),
          scored('s', 'flaky', F, scoresFor(F, 0.3, 'f')),
        ],
        dataset(F),
      ),
    ]);
    const b = run([
      suite(
        's',
        [
          scored('s', 'm', F, scoresFor(F, 0, 'weak'), { version: '2' }),
          errored('s', 'flaky', 'fit: boom'),
          scored('s', 'new', F, scoresFor(F, 0.3, 'n')),
        ],
        dataset(F, { dataHash: 'e'.repeat(64) }),
      ),
    ]);
    const c = compareRuns(
      loaded(a, '20260301T100000Z-aaaaaa'),
      loaded(b, '20260301T110000Z-bbbbbb', { commit: '1234567'.padEnd(40, '0'), dirty: true }),
    );
    const text = formatComparison(c, { alpha: 0.05 });
    const lines = text.split('\n');
    expect(lines[0]).toBe('harness compare  20260301T100000Z-aaaaaa → 20260301T110000Z-bbbbbb');
    expect(lines[2]).toBe(
      '  after   20260301T110000Z-bbbbbb  2026-03-01 10:00:00 UTC · commit 1234567* · exit 2',
    );
    expect(text).toContain('what changed\n  where  what                 before → after\n');
    expect(text).toContain('  run    git commit           ffffffffffff → 123456700000\n');
    expect(text).toContain('  s      data_hash            bbbbbbbbbbbb → eeeeeeeeeeee\n');
    expect(text).toContain('  s/m    version              1 → 2\n');
    expect(text).toMatch(
      / {2}m {2}paired DeLong on 40 systems: Δ roc_auc −0\.\d{3} \[−0\.\d{3}, [−+]0\.\d{3}\], p (= 0\.\d{4}|< 0\.0001) significant drop at 0\.05\n/,
    );
    expect(text).toMatch(
      / {4}roc_auc +\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\] +0\.\d{3} \[\d\.\d{3}, \d\.\d{3}\] +−0\.\d{3}\n/,
    );
    expect(text).toMatch(/ {4}strata that moved \(\d+ of 3\): failure_type=/);
    expect(text).toContain('  − old  only in the earlier run (scored)\n');
    expect(text).toContain(
      '  ✗ flaky  nothing to compare\n      before: scored\n      after: errored: fit: boom\n',
    );
    expect(text).toContain('  + new  only in the later run (scored)\n');
  });

  it('with nothing changed, says so', () => {
    const r = run([suite('s', [scored('s', 'm', F, scoresFor(F, 0.3, 'x'))], dataset(F))]);
    const text = formatComparison(compareRuns(loaded(r, 'A'), loaded(r, 'B')), { alpha: 0.05 });
    expect(text).toContain(
      'what changed: nothing recorded: same commit, config, data, labels, plugin versions and options\n',
    );
    expect(text).toContain(
      '  m  paired DeLong on 40 systems: Δ roc_auc 0 [0, 0], p = 1.0000 (not significant at 0.05) · both runs rank every anomaly/normal pair alike\n',
    );
    expect(text).toContain('    strata: no change in 3\n');
  });

  it('with nothing recorded but uncommitted changes or no git, says the code may differ', () => {
    const r = run([suite('s', [scored('s', 'm', F, scoresFor(F, 0.3, 'x'))], dataset(F))]);
    const commit = 'a'.repeat(40);
    const text = (a: { commit: string | null; dirty: boolean | null }, b: typeof a) =>
      formatComparison(compareRuns(loaded(r, 'A', a), loaded(r, 'B', b)), { alpha: 0.05 });
    const dirty = text({ commit, dirty: true }, { commit, dirty: true });
    expect(dirty).not.toContain('nothing recorded: same commit');
    expect(dirty).toContain(
      'what changed: nothing recorded, but both runs were made with uncommitted changes: the code may differ, and the record cannot show it\n',
    );
    const noGit = text({ commit: null, dirty: null }, { commit: null, dirty: null });
    expect(noGit).toContain(
      'what changed: nothing recorded, but both runs were made without a git commit recorded (not a git checkout, or no git): the code may differ',
    );
    // A change is listed, and the note still says the code may differ beyond it.
    const one = text({ commit, dirty: false }, { commit, dirty: true });
    expect(one).toMatch(/uncommitted changes +no → yes/);
    expect(one).toContain(
      '  note: the later run was made with uncommitted changes: the code may differ',
    );
  });

  it("colours a delta by the metric's better direction: lower-is-better the other way, threshold not at all", () => {
    const saved = chalk.level;
    chalk.level = 1;
    try {
      const green = (t: string) => `\u001b[32m${t}\u001b[39m`;
      const red = (t: string) => `\u001b[31m${t}\u001b[39m`;
      expect(deltaColour('roc_auc', 0.1, 'x')).toBe(green('x'));
      expect(deltaColour('roc_auc', -0.1, 'x')).toBe(red('x'));
      for (const m of ['fpr', 'false_alarms_per_system_month', 'detection_delay_days']) {
        expect(deltaColour(m, 0.1, 'x'), m).toBe(red('x'));
        expect(deltaColour(m, -0.1, 'x'), m).toBe(green('x'));
      }
      expect(deltaColour('threshold', 0.1, 'x')).toBe('x');
      expect(deltaColour('fpr', 0, 'x')).toBe('x');

      // In the table: a model that got worse has a higher fpr, shown red, and a lower roc_auc, red too.
      const a = run([suite('s', [scored('s', 'm', F, scoresFor(F, 1.2, 'strong'))], dataset(F))]);
      const b = run([suite('s', [scored('s', 'm', F, scoresFor(F, 0, 'weak'))], dataset(F))]);
      const text = formatComparison(compareRuns(loaded(a, 'A'), loaded(b, 'B')), { alpha: 0.05 });
      const row = (name: string) => text.split('\n').find((l) => l.trimStart().startsWith(name))!;
      const c = compareRuns(loaded(a, 'A'), loaded(b, 'B')).suites[0]!.cases[0]!;
      const fpr = c.status === 'compared' ? c.metrics.find((m) => m.name === 'fpr')!.delta! : 0;
      expect(fpr).toBeGreaterThan(0);
      expect(row('fpr')).toContain(red(signed(fpr)));
      expect(row('roc_auc')).toContain('\u001b[31m−');
    } finally {
      chalk.level = saved;
    }
  });

  it('signed deltas use a real minus sign and say 0 for no change', () => {
    expect([signed(0.0625), signed(-0.0625), signed(0), signed(null), signed(1e-9)]).toEqual([
      '+0.063',
      '−0.063',
      '0',
      '—',
      '+0.000',
    ]);
  });
});

describe('formatRunsTable', () => {
  const overview = (id: string, extra: Partial<RunOverview>): RunOverview => ({
    run_id: id,
    dir: `/p/.harness/runs/${id}`,
    started_at: '2026-03-01T10:00:00.000Z',
    exit_code: 0,
    git: { commit: 'abcdef0123'.padEnd(40, '0'), branch: 'main', dirty: false },
    suites: 1,
    cases: { scored: 2, errored: 0 },
    roc_auc: [
      { suite: 's', model: 'random', state: 'scored', value: 0.5012 },
      { suite: 's', model: 'pca', state: 'scored', value: null },
    ],
    results_error: null,
    tracking: null,
    tracking_uri: null,
    ...extra,
  });

  it('one row per run: short commit with * when dirty, exit, cases, compact AUCs, tracking status', () => {
    const many = Array.from({ length: 9 }, (_, i) => ({
      suite: i < 5 ? 'smoke' : 'edge',
      model: `model-${i}`,
      state: 'scored' as const,
      value: 0.7,
    }));
    const text = formatRunsTable(
      [
        overview('B', {
          exit_code: 1,
          git: { commit: '1234567890'.padEnd(40, '0'), branch: null, dirty: true },
          tracking: 'synced',
          cases: { scored: 1, errored: 1 },
          roc_auc: [
            { suite: 's', model: 'random', state: 'scored', value: 0.49 },
            { suite: 's', model: 'bad', state: 'errored', value: null },
          ],
        }),
        overview('A', { tracking: 'failed', git: { commit: null, branch: null, dirty: null } }),
        overview('W', { suites: 2, cases: { scored: 9, errored: 0 }, roc_auc: many }),
      ],
      { runsDir: '.harness/runs', older: 4 },
    );
    const rows = text
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/\s{2,}/));
    expect(rows[1]).toEqual([
      'B',
      '2026-03-01 10:00:00',
      '1234567*',
      '1',
      '1',
      '2 (1 ✗)',
      'random 0.49 bad ✗',
      'synced',
    ]);
    expect(rows[2]).toEqual([
      'A',
      '2026-03-01 10:00:00',
      '—',
      '0',
      '1',
      '2',
      'random 0.50 pca —',
      'failed',
    ]);
    expect(rows[3]![6]).toMatch(/^smoke: model-0 0\.70 .*…$/);
    expect(rows[3]![6]).toHaveLength(72);
    expect(rows[4]).toEqual(['… 4 older runs (--limit N shows more)']);
  });
});
