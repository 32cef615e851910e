import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/errors.ts';
import { readRegularFileSync, scratchSpace } from '../../../src/data/read-file.ts';
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

describe('scratchSpace', () => {
  it('hands out one growing buffer, a buffer of its own above max, and copies on slice()', () => {
    const scratch = scratchSpace(64);
    const a = scratch(10);
    expect(scratch(8)).toBe(a);
    const b = scratch(40);
    expect(b.length).toBeGreaterThanOrEqual(40);
    expect(scratch(12)).toBe(b);
    const big = scratch(100);
    expect(big.length).toBe(100);
    expect(scratch(12)).toBe(b);
    // A caller that must keep the bytes past an await copies them with slice(): a copy, not a view.
    b[0] = 7;
    const kept = b.slice(0, 4);
    b[0] = 9;
    expect(kept[0]).toBe(7);
  });
});
