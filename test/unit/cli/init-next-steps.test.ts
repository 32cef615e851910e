/**
 * `harness init --dir DIR` ends with the next commands to paste, `cd DIR && npx harness run`.
 * A folder with a space, a quote or a non-ASCII letter (`my project`, `O'Brien`) printed as is
 * split the `cd` into several words: pasted, it failed or went somewhere else.
 */
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHarness, tempDir } from '../../helpers/run-harness.ts';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir('bess-init-next-');
});
afterAll(() => tmp.cleanup());

describe('harness init --dir: the next steps', () => {
  it("print a cd that a shell takes to the project, whatever its folder's name", async () => {
    const dir = path.join(tmp.dir, 'my project $HOME', "O'Brien ü");
    const r = await runHarness(['init', '--yes', '--dir', dir], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.includes('npx harness run'))!;
    const cd = line.trim().slice(0, line.trim().indexOf(' && ') + ' && '.length);
    expect(cd.startsWith('cd ')).toBe(true);
    const pwd = execFileSync('sh', ['-c', `${cd}pwd -P`], { cwd: tmp.dir, encoding: 'utf8' });
    expect(pwd.trim()).toBe(realpathSync(dir));
  });
});
