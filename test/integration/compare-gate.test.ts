/**
 * `harness compare --fail-on-drop` when the gate cannot judge: runs of other models (nothing
 * paired) and a model that crashed in the later run. Both were exit 0, a CI gate passing on
 * nothing; now exit 2 naming each case and why. A case it could not judge beside one it did is
 * listed on stderr, and the exit code is the judged cases'.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, runHarness, tempDir } from '../helpers/run-harness.ts';
import { writeRunFolder } from '../helpers/run-record.ts';
import { dataset, errored, fleet, run, scored, scoresFor, suite } from '../unit/track/fixture.ts';

const F = fleet(40, 16);
const good = scoresFor(F, 1.2, 'strong');
const LATER = '2026-03-02T10:00:00.000Z';

describe('harness compare --fail-on-drop with cases it cannot judge', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  const store = (name: string): string => path.join(tmp.dir, name);
  beforeAll(async () => {
    tmp = await tempDir('compare-gate-');
    const before = run([
      suite('s', [scored('s', 'm', F, good), scored('s', 'crashy', F, good)], dataset(F)),
    ]);
    const runs = {
      // Another model only: nothing of the earlier run is in the later one.
      other: run([suite('s', [scored('s', 'n', F, good)], dataset(F))], LATER),
      // m unchanged (judged, no drop), crashy crashed.
      crashed: run(
        [suite('s', [scored('s', 'm', F, good), errored('s', 'crashy', 'boom')], dataset(F))],
        LATER,
      ),
      // m unchanged, crashy removed from the suite: listed, not a failure.
      removed: run([suite('s', [scored('s', 'm', F, good)], dataset(F))], LATER),
    };
    for (const [name, after] of Object.entries(runs)) {
      await writeRunFolder(store(name), before, tmp.dir);
      await writeRunFolder(store(name), after, tmp.dir);
    }
    // The earlier run's suite could not load its data: nothing scored to compare with.
    await writeRunFolder(store('nothing-before'), run([suite('s', [], null)]), tmp.dir);
    await writeRunFolder(store('nothing-before'), runs.removed, tmp.dir);
  });
  afterAll(() => tmp.cleanup());

  it('exit 2 when nothing was paired or a model crashed; a removed model beside a judged one is listed', async () => {
    const [other, crashed, removed, nothing] = (await Promise.all(
      ['other', 'crashed', 'removed', 'nothing-before'].map((name) =>
        runHarness(['compare', '--runs-dir', store(name), '--fail-on-drop']),
      ),
    )) as [RunResult, RunResult, RunResult, RunResult];
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('no case of the two runs had a paired ROC AUC test');
    expect(other.stderr).toContain('  s/m: only in the earlier run\n');
    expect(crashed.code).toBe(2);
    expect(crashed.stderr).toContain(
      'a case of the earlier run could not be scored in the later one',
    );
    expect(crashed.stderr).toContain('  s/crashy: errored in the later run: boom');
    expect(removed.code).toBe(0);
    expect(removed.stderr).toContain(
      'not judged (no paired test):\n  s/crashy: only in the earlier run\n',
    );
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('labels:\n  the earlier run has no scored case\n');
    for (const r of [other, crashed, removed, nothing]) expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);

  it('--json carries the verdict: the JSON of a gate that exits 2 once read as a clean comparison', async () => {
    const [other, removed] = (await Promise.all(
      ['other', 'removed'].map((name) =>
        runHarness(['compare', '--runs-dir', store(name), '--fail-on-drop', '--json']),
      ),
    )) as [RunResult, RunResult];
    expect(other.code).toBe(2);
    expect(JSON.parse(other.stdout).gate).toMatchObject({
      exit_code: 2,
      judged: 0,
      error: expect.stringContaining('no case of the two runs had a paired ROC AUC test'),
    });
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout).gate).toMatchObject({ exit_code: 0, judged: 1 });
    expect(JSON.parse(removed.stdout).gate.error).toBeUndefined();
  }, 30_000);

  it("exit 2 when both refs name the same run (a branch run that was not recorded leaves main's as latest)", async () => {
    const list = await runHarness(['runs', '--runs-dir', store('removed'), '--json']);
    const latest = (JSON.parse(list.stdout) as { run_id: string }[])[0]!.run_id;
    for (const refs of [['latest', 'latest'], [latest], [latest.slice(0, 18), 'latest']]) {
      const r = await runHarness([
        'compare',
        ...refs,
        '--runs-dir',
        store('removed'),
        '--fail-on-drop',
      ]);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `harness: ${refs[0]} and ${refs[1] ?? 'latest'} are the same run (${latest}): nothing to compare\n`,
      );
      expect(r.code).toBe(2);
    }
  }, 30_000);
});
