/**
 * A damaged Parquet part (a byte of its footer or of a page header changed, as a bad disk or a
 * half-copied file leaves it) is a problem reported against the file, never an exception out of
 * the scan (an internal error) and never a loop: each of these once did one or the other (a
 * column name lost from the footer; a v2 page header without its row count).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanSeriesParquet } from '../../src/data/parquet-read.ts';
import { formatSeriesParquet } from '../../src/data/parquet-write.ts';
import { tempDir } from '../helpers/run-harness.ts';

const ROWS = 300;
const T0 = Date.UTC(2026, 0, 1);

/** A part as `harness generate` writes it: dictionary and PLAIN pages, nulls, a delta timestamp. */
function part(): Uint8Array {
  const t = Float64Array.from({ length: ROWS }, (_, i) => T0 + i * 60_000);
  const v = Float64Array.from({ length: ROWS }, (_, i) =>
    i % 11 === 0 ? NaN : 700 + (i % 13) / 4,
  );
  const a = Float64Array.from({ length: ROWS }, (_, i) => Math.sin(i) * 100);
  return formatSeriesParquet(t, { voltage_v: v, current_a: a });
}

/** A seeded linear congruential generator: the same damage on every run. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

describe('a damaged Parquet part', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let folder: string;
  beforeAll(async () => {
    tmp = await tempDir();
    folder = path.join(tmp.dir, 'system_id=sys-1');
    await mkdir(folder);
  });
  afterAll(async () => tmp.cleanup());

  /** Scans `bytes` as the folder's one part: the problems, or the exception that escaped. */
  async function scan(bytes: Uint8Array): Promise<{ problems: string[]; escaped?: unknown }> {
    await rm(path.join(folder, 'part-0.parquet'), { force: true });
    await writeFile(path.join(folder, 'part-0.parquet'), bytes);
    const problems: string[] = [];
    try {
      await scanSeriesParquet(folder, {
        checkLimits: true,
        report: (p) => void problems.push(p.message),
      });
      return { problems };
    } catch (escaped) {
      return { problems, escaped };
    }
  }

  it('the undamaged part is read without a problem (the control)', async () => {
    expect(await scan(part())).toEqual({ problems: [] });
  });

  it('with any byte of its footer changed, reports a problem or reads, never throws', async () => {
    const good = part();
    const footerLength = new DataView(good.buffer, good.byteOffset).getUint32(
      good.length - 8,
      true,
    );
    const escaped: string[] = [];
    for (let at = good.length - 8 - footerLength; at < good.length - 8; at++) {
      for (const value of [0x00, 0xc8, 0xff]) {
        if (good[at] === value) continue;
        const bad = good.slice();
        bad[at] = value;
        const r = await scan(bad);
        if (r.escaped !== undefined) escaped.push(`byte ${at} = ${value}: ${String(r.escaped)}`);
      }
    }
    expect(escaped).toEqual([]);
  });

  it('with bytes of its pages changed (seeded), reports a problem or reads, never throws', async () => {
    const good = part();
    const md = parquetMetadata(good);
    const rnd = lcg(20261203);
    const escaped: string[] = [];
    const pagesEnd = Number(md.row_groups.at(-1)!.columns.at(-1)!.meta_data!.data_page_offset) + 64;
    for (let k = 0; k < 300; k++) {
      const bad = good.slice();
      const changes: string[] = [];
      for (let j = 0; j < 1 + Math.floor(rnd() * 3); j++) {
        const at = 4 + Math.floor(rnd() * (pagesEnd - 4));
        bad[at] = Math.floor(rnd() * 256);
        changes.push(`${at}=${bad[at]}`);
      }
      const r = await scan(bad);
      if (r.escaped !== undefined) escaped.push(`${changes.join(',')}: ${String(r.escaped)}`);
    }
    expect(escaped).toEqual([]);
  });
});
