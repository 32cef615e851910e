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
});
