import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOutDir, guardReporter, reporterLabel } from '../../../src/core/guard-reporters.ts';
import { HarnessError } from '../../../src/errors.ts';
import type { Reporter } from '../../../src/runner/index.ts';
import { tempDir } from '../../helpers/run-harness.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('c-outdir-'));
  await mkdir(path.join(dir, 'folder'));
  await writeFile(path.join(dir, 'file'), 'x');
});
afterAll(() => cleanup());

describe('checkOutDir', () => {
  it('accepts a folder, or a path whose nearest existing parent is a folder', async () => {
    await checkOutDir(path.join(dir, 'folder'));
    await checkOutDir(path.join(dir, 'folder', 'new', 'deeper'));
  });

  it('a file, or a path below a file, is a HarnessError naming the file', async () => {
    const file = path.join(dir, 'file');
    await expect(checkOutDir(file)).rejects.toThrow(HarnessError);
    await expect(checkOutDir(file)).rejects.toThrow(`out dir ${file} is a file, not a folder`);
    await expect(checkOutDir(path.join(file, 'a', 'b'))).rejects.toThrow(
      `out dir ${path.join(file, 'a', 'b')} cannot be made: ${file} is a file, not a folder`,
    );
  });
});

describe('guardReporter', () => {
  it('records the first throw or rejection by name and hook, then calls that reporter no more', async () => {
    const calls: string[] = [];
    const failures: string[] = [];
    const flaky: Reporter = {
      onCaseStart: () => void calls.push('start'),
      async onSuiteResult() {
        calls.push('suite');
        throw new Error('disk full');
      },
      onRunEnd: () => void calls.push('end'),
    };
    const g = guardReporter(flaky, reporterLabel(['./slack.ts', {}], 0), failures);
    await g.onCaseStart!({} as never);
    await g.onSuiteResult!({} as never);
    await g.onSuiteResult!({} as never);
    await g.onRunEnd!({} as never);
    expect(calls).toEqual(['start', 'suite']);
    expect(failures).toEqual(['reporter "./slack.ts" failed in onSuiteResult: disk full']);
    expect(g.onInit).toBeUndefined();
  });

  it("removes the files of a reporter that failed: its previous output is not this run's", async () => {
    const page = path.join(dir, 'report', 'index.html');
    const other = path.join(dir, 'results.json');
    await mkdir(path.dirname(page), { recursive: true });
    for (const f of [page, other]) await writeFile(f, 'the previous run, green');
    const failures: string[] = [];
    const full: Reporter = {
      async onRunEnd() {
        // What a full disk does to writeFileAtomic: the old file is left as it was.
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
          code: 'ENOSPC',
          syscall: 'write',
          path: page,
        });
      },
    };
    await guardReporter(full, 'html', failures, [page]).onRunEnd!({} as never);
    expect(failures).toEqual([
      `reporter "html" failed in onRunEnd: cannot write ${page}: no space left on the device (ENOSPC)`,
    ]);
    expect(existsSync(page)).toBe(false);
    expect(existsSync(other)).toBe(true);
  });
});
