import { tableFromIPC } from '@uwdata/flechette';
import { describe, expect, it, vi } from 'vitest';
import { encodeFrame, FrameReader, ProtocolError } from '../../../src/plugin/process/frames.ts';
import { seriesToArrow } from '../../../src/plugin/process/series-arrow.ts';

describe('process protocol frames', () => {
  it('reads frames back whatever the chunking, payloads included', () => {
    const bytes = Buffer.concat([
      encodeFrame({ type: 'hello', protocol: 1 }),
      encodeFrame({ type: 'state' }, new Uint8Array([1, 2, 3])),
      encodeFrame({ type: 'ok' }),
    ]);
    for (const size of [1, 3, 7, bytes.length]) {
      const reader = new FrameReader();
      const frames = [];
      for (let i = 0; i < bytes.length; i += size)
        frames.push(...reader.push(bytes.subarray(i, i + size)));
      expect(frames.map((f) => [f.header.type, [...f.payload]])).toEqual([
        ['hello', []],
        ['state', [1, 2, 3]],
        ['ok', []],
      ]);
      expect(frames[1]!.header.payload_bytes).toBe(3);
    }
  });

  it('joins a large frame once, when its last chunk comes: not once per chunk', () => {
    // 4 MiB of state in 64 KiB pipe chunks, then a frame in the same chunk as its tail. Joining
    // each chunk to everything before it copied the payload again per chunk: quadratic, an 80 MB
    // state took 28 s to read (the bench's frame figure measures the time).
    const payload = new Uint8Array(4 * 1024 * 1024).map((_, i) => i % 251);
    const bytes = Buffer.concat([
      encodeFrame({ type: 'state' }, payload),
      encodeFrame({ type: 'ok' }),
    ]);
    const concat = vi.spyOn(Buffer, 'concat');
    try {
      const reader = new FrameReader();
      const frames = [];
      const chunk = 64 * 1024;
      for (let i = 0; i < bytes.length; i += chunk)
        frames.push(...reader.push(bytes.subarray(i, i + chunk)));
      expect(frames.map((f) => f.header.type)).toEqual(['state', 'ok']);
      expect(Buffer.compare(Buffer.from(frames[0]!.payload), Buffer.from(payload))).toBe(0);
      expect(concat.mock.calls.length).toBeLessThanOrEqual(2);
    } finally {
      concat.mockRestore();
    }
  });

  it('garbage is a ProtocolError that shows what came', () => {
    expect(() => new FrameReader().push(Buffer.from('hello world, not a frame\n'))).toThrow(
      ProtocolError,
    );
    expect(() => new FrameReader().push(Buffer.from('hello world, not a frame\n'))).toThrow(
      /hello world/,
    );
    const notJson = Buffer.concat([Buffer.from([5, 0, 0, 0]), Buffer.from('{oops')]);
    expect(() => new FrameReader().push(notJson)).toThrow(/not JSON/);
    const noType = encodeFrame({ kind: 'x' } as never);
    expect(() => new FrameReader().push(noType)).toThrow(/without a "type"/);
  });
});

describe('series as the Arrow payload', () => {
  it('long form: ids, int64 ms timestamps, float64 sensors with NaN for missing readings and sensors', () => {
    const { bytes, rows, sensors } = seriesToArrow([
      {
        systemId: 'A',
        source: 'synthetic',
        timestamps: Float64Array.from([0, 3_600_000]),
        sensors: { voltage_v: Float64Array.from([700, NaN]) },
      },
      {
        systemId: 'B',
        source: 'real',
        timestamps: Float64Array.from([1_767_225_600_000]),
        sensors: { soc_pct: Float64Array.from([55.5]) },
      },
      { systemId: 'empty', source: 'real', timestamps: new Float64Array(0), sensors: {} },
      {
        systemId: 'C',
        source: 'real',
        // Before 1970 and past 2^32 ms: int64 is written as two 32-bit words.
        timestamps: Float64Array.from([-1, 2 ** 40 + 5]),
        // Longer than the timestamps (a loader's spare capacity): only the first values count.
        sensors: { soc_pct: Float64Array.from([9]), voltage_v: Float64Array.from([1, 2, 3]) },
      },
    ]);
    expect(rows).toEqual([2, 1, 0, 2]);
    // The columns are the batch's; each system's own, in its own order, go beside them, so a model
    // is not shown a neighbour's sensor as one of its own, all NaN.
    expect(sensors).toEqual([['voltage_v'], ['soc_pct'], [], ['soc_pct', 'voltage_v']]);
    const table = tableFromIPC(bytes, { useBigInt: true });
    expect(table.names).toEqual(['system_id', 'timestamp', 'voltage_v', 'soc_pct']);
    expect(table.getChild('system_id')!.toArray()).toEqual(['A', 'A', 'B', 'C', 'C']);
    expect([...table.getChild('timestamp')!.toArray()]).toEqual([
      0n,
      3_600_000n,
      1_767_225_600_000n,
      -1n,
      2n ** 40n + 5n,
    ]);
    expect([...table.getChild('voltage_v')!.toArray()]).toEqual([700, NaN, NaN, 1, 2]);
    expect([...table.getChild('soc_pct')!.toArray()]).toEqual([NaN, NaN, 55.5, 9, NaN]);
  });
});
