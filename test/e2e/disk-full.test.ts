/**
 * A full disk (or a file size limit) under a command that writes: exit 2 with "cannot write
 * <file>: <why> (<code>)" naming the file, never an internal error with a crash log, and no temp
 * file left. A write on an open file fails without naming its path, so the harness used to call
 * it a bug ("internal error: ENOSPC: no space left on device, write").
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, statfs, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCommand, runHarness, tempDir } from '../helpers/run-harness.ts';

const BIN = path.join(REPO_ROOT, 'bin', 'harness.js');
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every temp file of an atomic write, staging folder and lock file below `dir`. */
async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).filter((rel) =>
    /(\.tmp-\d+-[0-9a-f]{12}|(^|\/)\.[^/]*staging-[^/]*|\.lock)$/.test(rel),
  );
}

/** Fills the file system of `dir` with files of its own, leaving about `free` bytes (0: none). */
async function fill(dir: string, free: number): Promise<void> {
  const s = await statfs(dir);
  const size = s.bavail * s.bsize - free;
  const filler = path.join(dir, `filler-${free}`);
  if (free > 0) {
    if (size > 0) await appendFile(filler, Buffer.alloc(size));
    return;
  }
  // To the last block, whatever statfs does not count.
  for (const chunk of [1 << 20, 4096])
    while (
      await appendFile(filler, Buffer.alloc(chunk)).then(
        () => true,
        () => false,
      )
    );
}

const asRoot = process.getuid?.() === 0;

// A full disk needs a file system of its own: a tmpfs, which only root may mount (CI runs as root).
describe.skipIf(!asRoot)(
  'a full disk (a small tmpfs; skipped unless the tests run as root)',
  () => {
    let t: Awaited<ReturnType<typeof tempDir>>;
    let disk: string;
    let p: string;
    beforeAll(async () => {
      t = await tempDir('disk-full-');
      disk = path.join(t.dir, 'disk');
      await mkdir(disk);
      const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', disk], {
        encoding: 'utf8',
      });
      expect(m.status, m.stderr).toBe(0);
      p = path.join(disk, 'p');
      const files: Record<string, string> = {
        'package.json': JSON.stringify({ name: 'fixture', type: 'module', private: true }),
        'harness.config.ts': `export default { workers: 1, history: false, outDir: 'out' };\n`,
        'suites/s.suite.ts': `import { defineSuite } from 'bess-harness';
export default defineSuite({
  name: 's',
  dataset: { scenario: { name: 'tiny', systems: 8, days: 1, interval: '1h', anomalyRate: 0.4, seed: 'tiny' } },
  models: ['random', 'zscore'],
  baseline: { allowUnderpowered: true },
});
`,
      };
      for (const [rel, text] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(p, rel)), { recursive: true });
        await writeFile(path.join(p, rel), text);
      }
      await mkdir(path.join(p, 'node_modules'));
      await symlink(REPO_ROOT, path.join(p, 'node_modules', 'bess-harness'), 'dir');
      const gen = await runHarness(
        ['generate', '--systems', '6', '--days', '1', '--interval', '1h'],
        {
          cwd: p,
        },
      );
      expect(gen.code, gen.stderr).toBe(0);
      // A green run that writes the baseline and the reports the next run must replace.
      const green = await runHarness(
        ['run', '--no-cache', '--update-baseline', '--reporter', 'json', '--reporter', 'html'],
        { cwd: p },
      );
      expect(green.code, green.stdout + green.stderr).toBe(0);
      for (const d of ['pl', 'lab']) await mkdir(path.join(p, d));
    }, 120_000);
    afterAll(async () => {
      spawnSync('umount', [disk]);
      await t.cleanup();
    });

    it('a reporter that cannot write its file fails the run naming it, and leaves no earlier report', async () => {
      // Room for results.json, not for the html page (vega inlined: most of a megabyte).
      await fill(disk, 300 * 1024);
      const r = await runHarness(
        ['run', '--no-cache', '--reporter', 'json', '--reporter', 'html'],
        {
          cwd: p,
        },
      );
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toContain(
        `reporter "html" failed in onRunEnd: cannot write ${path.join(p, 'out', 'report', 'index.html')}: no space left on the device (ENOSPC)`,
      );
      const results = JSON.parse(await readFile(path.join(p, 'out', 'results.json'), 'utf8'));
      expect(results.summary.exitCode).toBe(2);
      // The green run's page, beside a results.json at exit 2, was read as this run's report.
      expect(existsSync(path.join(p, 'out', 'report', 'index.html'))).toBe(false);
      expect(await leftovers(disk)).toEqual([]);
    });

    it.each([
      [
        // Room for its lock, not for the fleet: the file named is the fleet's, not its copy
        // in the staging folder (removed by then).
        'generate, with a little room',
        ['generate', '--systems', '20', '--days', '10', '--interval', '5m', '--out', 'fleet'],
        String.raw`fleet/raw/[\w-]+\.csv`,
        64 * 1024,
      ],
      [
        'generate',
        ['generate', '--systems', '6', '--days', '1', '--interval', '1h', '--out', 'fleet'],
        // Its lock comes first: an empty lock left behind held off every later generate for
        // 30 s, then failed it.
        String.raw`\.fleet\.labels\.csv\.lock`,
        0,
      ],
      ['plots', ['plots', '--out-dir', 'pl'], String.raw`pl/[\w-]+\.svg`, 0],
      ['labels', ['labels', '--out-dir', 'lab'], String.raw`lab/[\w-]+\.svg`, 0],
      [
        'run --update-baseline',
        // The out dir is elsewhere: the run removes the reports it does not write, and the
        // space they free would take the baseline. Its lock comes first: the baseline is read
        // and written under it, so that two updates at once do not drop each other's models.
        ['run', '--no-cache', '--update-baseline', '--reporter', 'plain', '--out-dir', '../../out'],
        String.raw`suites/__baselines__/\.s\.json\.lock`,
        0,
      ],
    ] as const)(
      '%s: exit 2, "cannot write <file>: no space left on the device"',
      async (_, args, file, free) => {
        await fill(disk, free);
        const r = await runHarness(args, { cwd: p });
        expect(r.code, r.stdout + r.stderr).toBe(2);
        expect(r.stderr).toMatch(
          new RegExp(
            `^harness: cannot write ${escape(p)}/${file}: no space left on the device \\(ENOSPC\\)\\n$`,
          ),
        );
        expect(await leftovers(disk)).toEqual([]);
      },
    );
  },
);

describe('a file size limit (ulimit -f)', () => {
  it('is exit 2, "cannot write <file>: the file is too large for the file system (EFBIG)"', async () => {
    const t = await tempDir('efbig-');
    try {
      // 16 KiB: the charts are larger.
      const r = await runCommand(
        'bash',
        ['-c', `ulimit -f 16; exec "${process.execPath}" "${BIN}" plots --out-dir pl`],
        { cwd: t.dir },
      );
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(
          `^harness: cannot write ${escape(t.dir)}/pl/[\\w-]+\\.svg: the file is too large for the file system \\(EFBIG\\)\\n$`,
        ),
      );
      expect(await leftovers(t.dir)).toEqual([]);
    } finally {
      await t.cleanup();
    }
  });
});
