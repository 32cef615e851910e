import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/errors.ts';
import { readRegularFileSync } from '../../../src/data/read-file.ts';
import { tempDir } from '../../helpers/run-harness.ts';

describe('readRegularFileSync: a data file in one blocking call', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    tmp = await tempDir();
    await writeFile(path.join(tmp.dir, 'part.bin'), Buffer.from([1, 2, 3, 4, 5]));
    await mkdir(path.join(tmp.dir, 'folder'));
  });
  afterAll(async () => tmp.cleanup());

  it('reads the bytes into a buffer of their own, or into the scratch space it is given', () => {
    const file = path.join(tmp.dir, 'part.bin');
    expect([...readRegularFileSync(file)]).toEqual([1, 2, 3, 4, 5]);
    const scratch = new Uint8Array(64).fill(9);
    const got = readRegularFileSync(file, () => scratch);
    expect(got.buffer).toBe(scratch.buffer);
    expect([...got]).toEqual([1, 2, 3, 4, 5]);
    expect(scratch[5]).toBe(9);
  });

  it('says why a path cannot be read, naming it, as a HarnessError', () => {
    for (const [name, why] of [
      ['missing.bin', 'file not found'],
      ['folder', 'is a folder, not a file'],
    ] as const) {
      const file = path.join(tmp.dir, name);
      let err: unknown;
      try {
        readRegularFileSync(file);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(HarnessError);
      expect((err as HarnessError).message).toBe(`${file}: ${why}`);
    }
  });
});
