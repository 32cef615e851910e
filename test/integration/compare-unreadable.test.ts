/**
 * `harness compare` (latest~1 latest by default) when the newest run folder cannot be read as it
 * should. A damaged tracking.json (it only says what reached MLflow) used to hide the whole run,
 * and an unreadable run.json (damaged, or of a later schema) was skipped with a warning: either
 * way `latest` silently became an older run and `--fail-on-drop` judged the wrong pair (exit 0
 * over a drop). Now the run with a damaged tracking.json is compared, and a newer run that
 * cannot be read makes `latest` exit 2 naming it.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHarness, tempDir } from '../helpers/run-harness.ts';
import { writeRunFolder } from '../helpers/run-record.ts';
import { dataset, fleet, run, scored, scoresFor, suite } from '../unit/track/fixture.ts';

const F = fleet(40, 16);
const strong = scoresFor(F, 3, 'strong');
const weak = scoresFor(F, 0, 'weak');
const at = (day: number) => `2026-03-0${day}T10:00:00.000Z`;
const runOf = (scores: number[], day: number) =>
  run([suite('s', [scored('s', 'm', F, scores)], dataset(F))], at(day));

describe('harness compare when the newest run folder cannot be read as it should', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let base: string;
  let newest: string;
  beforeAll(async () => {
    tmp = await tempDir('compare-unreadable-');
    base = path.join(tmp.dir, 'base');
    await writeRunFolder(base, runOf(strong, 1), tmp.dir);
    await writeRunFolder(base, runOf(strong, 2), tmp.dir);
    // The newest run dropped to chance.
    newest = path.basename(await writeRunFolder(base, runOf(weak, 3), tmp.dir));
  });
  afterAll(() => tmp.cleanup());

  /** A copy of the store with `file` of the newest run replaced by `text`. */
  async function damaged(name: string, file: string, text: (old: string) => string) {
    const dir = path.join(tmp.dir, name);
    await cp(base, dir, { recursive: true });
    const f = path.join(dir, newest, file);
    await writeFile(f, text(await readFile(f, 'utf8').catch(() => '')));
    return dir;
  }
  const gate = (runsDir: string) =>
    runHarness(['compare', '--runs-dir', runsDir, '--fail-on-drop']);

  it('the intact store: the drop of the newest run fails the gate', async () => {
    const r = await gate(base);
    expect(r.stderr).toContain('significant ROC AUC drop in s/m');
    expect(r.code).toBe(1);
  });

  it('a damaged tracking.json leaves the run in the history: it is still the latest, and the drop fails the gate', async () => {
    const dir = await damaged('tracking', 'tracking.json', () => '{"mlflow":');
    const r = await gate(dir);
    expect(r.stdout).toContain(`→ ${newest}`);
    expect(r.stderr).toContain(
      `warning: ${path.join(dir, newest, 'tracking.json')}: is not valid JSON`,
    );
    expect(r.code).toBe(1);
    const list = await runHarness(['runs', '--runs-dir', dir]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(newest);
  });

  it('a newer run.json that cannot be read (truncated, or of a later schema) makes latest (and latest~1) exit 2 naming it', async () => {
    for (const [name, text] of [
      ['truncated', (old: string) => old.slice(0, 100)],
      ['future', (old: string) => JSON.stringify({ ...JSON.parse(old), schema: 2 })],
    ] as const) {
      const dir = await damaged(name, 'run.json', text);
      const r = await gate(dir);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        new RegExp(
          `^(warning: skipped .*\\n)?harness: latest(~1)?: cannot tell which run that is: the run ${newest} cannot be read \\(.*run\\.json: .*\\); repair or remove it, or name the run by its full id \\(\\d{8}T\\d{6}Z-[0-9a-f]{6} is the one that can be read\\)\\n$`,
        ),
      );
      expect(r.code, name).toBe(2);
    }
  });

  it('a score file of the newest run cut short (mid-row, or at a row boundary) is exit 2 naming it, not a pass', async () => {
    // Cut, the file held other systems than the earlier run's: the case went unpaired ("not
    // paired: different systems") and the gate let the drop pass with a note, exit 0.
    const file = path.join('scores', 's', 'm.csv');
    for (const [name, cut, why] of [
      // Inside its last row's score: every row is there, and the score still reads as a number.
      ['mid-row', (old: string) => old.slice(0, -2), 'cut short'],
      [
        'row-boundary',
        (old: string) => `${old.split('\n').slice(0, 20).join('\n')}\n`,
        '19 row\\(s\\), but results.json counts n = 40 scored systems',
      ],
    ] as const) {
      const dir = await damaged(name, file, cut);
      const r = await gate(dir);
      expect(r.stderr, name).toMatch(
        new RegExp(`harness: ${path.join(dir, newest, file)}: ${why}`),
      );
      expect(r.code, name).toBe(2);
    }
  });
});
