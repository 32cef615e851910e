/**
 * `harness init --yes` in a project whose package.json it must not change: "type": "commonjs"
 * became "type": "module" and the project's require() code broke; a read-only package.json was
 * replaced by a writable one (a rename needs only the folder's permission).
 */
import { spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { harnessEnv, REPO_ROOT, runHarness, tempDir } from '../helpers/run-harness.ts';

let t: Awaited<ReturnType<typeof tempDir>> | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

describe('harness init --yes and package.json', () => {
  it('keeps "type": "commonjs", so the require() code still runs, and says why', async () => {
    t = await tempDir('bess-init-cjs-');
    const pkg = '{\n  "name": "cjs",\n  "type": "commonjs",\n  "main": "index.js"\n}\n';
    await writeFile(path.join(t.dir, 'package.json'), pkg);
    await writeFile(path.join(t.dir, 'index.js'), "console.log(require('node:path').sep);\n");
    const r = await runHarness(['init', '--yes'], { cwd: t.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(path.join(t.dir, 'package.json'), 'utf8')).toBe(pkg);
    expect(r.stdout).toMatch(
      /left +package\.json: "type": "commonjs" kept: .*init never changes it/,
    );
    // and it does not claim tsc checks the suites, which it reads as CommonJS there
    expect(r.stdout).not.toContain('type-checks your plugin and suite');
    expect(r.stdout).toContain('so tsc reads them as CommonJS');
    const app = spawnSync(process.execPath, ['index.js'], { cwd: t.dir, encoding: 'utf8' });
    expect(app.status, app.stderr).toBe(0);
  });

  it('with a tsconfig.json that covers only src/, does not claim tsc checks the plugin and suite, and says what to add', async () => {
    t = await tempDir('bess-init-tsc-');
    await writeFile(path.join(t.dir, 'package.json'), '{ "name": "tsc", "type": "module" }');
    await writeFile(
      path.join(t.dir, 'tsconfig.json'),
      '{ "compilerOptions": { "strict": true }, "include": ["src"] }',
    );
    const r = await runHarness(['init', '--yes'], { cwd: t.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('type-checks your plugin and suite');
    expect(r.stdout).toContain(
      'Note: `npx tsc --noEmit` does not type-check your plugin and suite as things are: tsconfig.json\'s "include" (["src"]) leaves out harness.config.ts, plugins/my-model/index.ts, suites/my-model.suite.ts: add "harness.config.ts", "plugins", "suites" to it',
    );
  });

  it('reads a package.json that starts with a byte order mark, as npm does, and drops the mark (keeping CRLF) when it adds "type", so that `harness run` works', async () => {
    // A Windows editor's file: init refused it ("not valid JSON: Unexpected token"), npm takes
    // it. Init then kept the mark, and the `harness run` it said to run next always exited 2:
    // cosmiconfig and tsx cannot read such a package.json.
    t = await tempDir('bess-init-bom-');
    const file = path.join(t.dir, 'package.json');
    await writeFile(file, '\uFEFF{\r\n  "name": "bom",\r\n  "private": true\r\n}\r\n');
    await mkdir(path.join(t.dir, 'node_modules'));
    await symlink(REPO_ROOT, path.join(t.dir, 'node_modules', 'bess-harness'), 'dir');
    const r = await runHarness(['init', '--yes'], { cwd: t.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(
      '{\r\n  "name": "bom",\r\n  "private": true,\r\n  "type": "module"\r\n}\r\n',
    );
    expect(r.stdout).toMatch(
      /updated +package\.json: "type": "module" \(was no "type"\); removed the UTF-8 byte order mark from package\.json: cosmiconfig and tsx cannot read it\n/,
    );
    expect(r.stderr).not.toContain('byte order mark');
    const run = await runHarness(['run', '--no-history'], { cwd: t.dir });
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });

  it('warns of a byte order mark in a package.json it does not rewrite', async () => {
    t = await tempDir('bess-init-bom-kept-');
    const file = path.join(t.dir, 'package.json');
    const pkg = '\uFEFF{\r\n  "name": "bom",\r\n  "type": "module"\r\n}\r\n';
    await writeFile(file, pkg);
    const r = await runHarness(['init', '--yes'], { cwd: t.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(pkg);
    expect(r.stderr).toContain(
      'warning: package.json starts with a UTF-8 byte order mark, which cosmiconfig and tsx cannot read: `harness run` exits 2 until it is saved without the mark\n',
    );
  });

  it('locates a mistake in a package.json with a byte order mark by the columns after the mark', async () => {
    t = await tempDir('bess-init-bom-bad-');
    const file = path.join(t.dir, 'package.json');
    await writeFile(file, '\uFEFF{ "name": "bom",, "private": true }\n');
    const r = await runHarness(['init', '--yes'], { cwd: t.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`\npackage.json:1:17: not valid JSON: Expected double-quoted`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a read-only package.json: exit 2, one clean line naming it, the file and its mode as they were', async () => {
    t = await tempDir('bess-init-ro-');
    const file = path.join(t.dir, 'package.json');
    await writeFile(file, '{\n  "name": "ro"\n}\n');
    await chmod(file, 0o444);
    let r: { code: number | null; stdout: string; stderr: string };
    if (process.getuid?.() === 0) {
      // root may write any file: run as nobody, as the audit did (runuser -u nobody)
      await chmod(t.dir, 0o777);
      await chown(file, 65534, 65534);
      const p = spawnSync(
        process.execPath,
        [path.join(REPO_ROOT, 'bin', 'harness.js'), 'init', '--yes'],
        {
          cwd: t.dir,
          uid: 65534,
          gid: 65534,
          encoding: 'utf8',
          // TMPDIR too: tsx keeps a cache per user in it (/tmp/tsx-65534 was left behind).
          env: harnessEnv({ HOME: t.dir, TMPDIR: t.dir }),
        },
      );
      r = { code: p.status, stdout: p.stdout, stderr: p.stderr };
    } else r = await runHarness(['init', '--yes'], { cwd: t.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `harness: ${file}: cannot be changed (it is read-only); it was left as it was. Make it writable and run harness init again, or add "type": "module" yourself\n`,
    );
    expect(await readFile(file, 'utf8')).toBe('{\n  "name": "ro"\n}\n');
    expect((await stat(file)).mode & 0o777).toBe(0o444);
  });
});
