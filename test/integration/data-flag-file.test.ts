/**
 * `--data` given a file of the data folder (`data/real/labels.csv`) was "data folder … not
 * found" though the file is there: the message now says --data takes the folder.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHarness, tempDir } from '../helpers/run-harness.ts';

let t: Awaited<ReturnType<typeof tempDir>>;
const file = (): string => path.join(t.dir, 'data', 'real', 'labels.csv');

beforeAll(async () => {
  t = await tempDir('bess-data-file-');
  await mkdir(path.dirname(file()), { recursive: true });
  await writeFile(file(), 'system_id,label,failure_type,lead_time_days,source,label_version\n');
});
afterAll(() => t.cleanup());

describe('--data given a file', () => {
  it('says --data takes the data folder, for label and validate', async () => {
    const said = `is a file, not a data folder: --data takes the folder that holds synthetic/ and real/`;
    const label = await runHarness(['label', '--port', '0', '--data', file()], { cwd: t.dir });
    expect(label.code).toBe(2);
    expect(label.stderr).toContain(`${file()} ${said}`);
    const validate = await runHarness(['validate', '--data', file()], { cwd: t.dir });
    expect(validate.code).toBe(2);
    expect(validate.stdout + validate.stderr).toContain(`data/real/labels.csv:1:0: ${said}`);
  });
});
