import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHarness, tempDir } from '../helpers/run-harness.ts';

describe('harness generate refuses what it cannot do, with exit 2 and the flag named', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    t = await tempDir();
    await writeFile(path.join(t.dir, 'afile'), 'x');
  });
  afterAll(() => t.cleanup());

  it('an --out that is a file, a sampling interval too dense to hold, a system count out of range', async () => {
    const [file, dense, huge] = await Promise.all([
      runHarness(['generate', '--systems', '2', '--days', '1', '--out', 'afile'], { cwd: t.dir }),
      runHarness(['generate', '--systems', '2', '--days', '1', '--interval', '1ms', '--out', 'o'], {
        cwd: t.dir,
      }),
      runHarness(['generate', '--systems', '99999999999999999999', '--out', 'o'], { cwd: t.dir }),
    ]);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain('--out afile is a file: give a folder');
    expect(dense.code).toBe(2);
    expect(dense.stderr).toContain(
      'interval gives 86,400,000 samples per system over 1 days; at most 10,000,000',
    );
    expect(huge.code).toBe(2);
    expect(huge.stderr).toContain('--systems must be a whole number from 1 to 1,000,000');
    for (const r of [file, dense, huge]) expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  });

  it('an unknown --compression, and --compression without --format parquet', async () => {
    const [unknown, csv] = await Promise.all([
      runHarness(
        [
          'generate',
          '--systems',
          '2',
          '--days',
          '1',
          '--format',
          'parquet',
          '--compression',
          'lzo',
          '--out',
          'o',
        ],
        { cwd: t.dir },
      ),
      runHarness(
        ['generate', '--systems', '2', '--days', '1', '--compression', 'zstd', '--out', 'o'],
        { cwd: t.dir },
      ),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--compression: expected snappy, zstd, gzip, none, got "lzo"');
    expect(csv.code).toBe(2);
    expect(csv.stderr).toContain('--compression is for --format parquet');
    for (const r of [unknown, csv]) expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  });

  it("removes the staging folders a killed generate left behind, and leaves a running one's", async () => {
    const { mkdir, readdir } = await import('node:fs/promises');
    const { spawnSync } = await import('node:child_process');
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    const stale = `.fleet.staging-${dead}-abcd1234`;
    const live = '.fleet.staging-1-abcd1234'; // pid 1 always runs
    for (const d of [stale, live]) await mkdir(path.join(t.dir, d, 'raw'), { recursive: true });
    const r = await runHarness(
      ['generate', '--systems', '2', '--days', '1', '--interval', '1h', '--out', 'fleet'],
      { cwd: t.dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const left = await readdir(t.dir);
    expect(left).not.toContain(stale);
    expect(left).toContain(live);
  });
});
