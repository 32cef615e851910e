import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/errors.ts';
import { findFiles, globProblem, matchGlobs } from '../../../src/runner/glob.ts';
import { tempDir } from '../../helpers/run-harness.ts';

// Each of these globs once matched nothing without a word: with a second glob that matched,
// its suites silently left the gate.
describe('suite globs', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir('bess-glob-'));
    for (const rel of [
      'suites/a.suite.ts',
      'gates/g.suite.ts',
      '.gates/h.suite.ts',
      'elsewhere/l.suite.ts',
    ]) {
      await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
      await writeFile(path.join(root, rel), '');
    }
  });
  afterEach(() => cleanup());
  const rel = async (globs: string[]) =>
    (await findFiles(root, globs)).map((f) => path.relative(root, f));

  it('a leading ./ is the same glob', async () => {
    expect(await rel(['./gates/*.suite.ts'])).toEqual(['gates/g.suite.ts']);
  });

  it('{a,b} matches either', async () => {
    expect(await rel(['{suites,gates}/*.suite.ts'])).toEqual([
      'gates/g.suite.ts',
      'suites/a.suite.ts',
    ]);
  });

  it('a dot-folder named by the glob is searched; below a wildcard it is not', async () => {
    expect(await rel(['.gates/*.suite.ts'])).toEqual(['.gates/h.suite.ts']);
    expect(await rel(['**/*.suite.ts'])).not.toContain('.gates/h.suite.ts');
  });

  it('follows a symlinked folder, and a link back up does not loop', async () => {
    await symlink(path.join(root, 'elsewhere'), path.join(root, 'suites', 'linked'), 'dir');
    await symlink(root, path.join(root, 'suites', 'up'), 'dir');
    expect(await rel(['suites/**/*.suite.ts'])).toEqual([
      'suites/a.suite.ts',
      'suites/linked/l.suite.ts',
      'suites/up/gates/g.suite.ts',
    ]);
  });

  it('says which glob matched nothing, and where it looked', async () => {
    const [a, b] = await matchGlobs(root, ['suites/*.suite.ts', 'gatez/*.suite.ts']);
    expect(a!.files).toHaveLength(1);
    expect(b).toEqual({ glob: 'gatez/*.suite.ts', folder: path.join(root, 'gatez'), files: [] });
  });

  it('a folder that cannot be listed is an error, not a glob that matched nothing', async () => {
    await symlink('loop', path.join(root, 'loop')); // ELOOP, which even root cannot list
    await expect(matchGlobs(root, ['loop/*.suite.ts'])).rejects.toThrow(
      /cannot list .*loop to match "loop\/\*\.suite\.ts" \(ELOOP\)/,
    );
  });

  it('refuses what it does not support, saying what it does', async () => {
    for (const glob of ['suites/[ab].suite.ts', '!suites/x.ts', 'suites/@(a|b).ts', 'a\\b.ts'])
      expect(globProblem(glob)).toMatch(/which suite globs do not support: they support `\*`/);
    expect(globProblem('suites/{a,b.ts')).toMatch(/has a `\{` without its `\}`/);
    expect(globProblem('../shared/*.suite.ts')).toMatch(/leaves the project folder/);
    expect(globProblem('/abs/*.suite.ts')).toMatch(/absolute path/);
    expect(globProblem('suites/**/*.suite.ts')).toBeUndefined();
    await expect(findFiles(root, ['suites/[ab].suite.ts'])).rejects.toThrow(HarnessError);
  });
});
