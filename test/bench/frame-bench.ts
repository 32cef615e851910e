/**
 * Reading one large frame from a model's stdout (a fitted state shipped to a worker), in the
 * 64 KiB chunks a pipe delivers: the FrameReader's cost per MB. It was quadratic (every chunk
 * joined to all the bytes before it: 80 MB in 28 s); it must stay linear.
 */
import { performance } from 'node:perf_hooks';
import { encodeFrame, FrameReader } from '../../src/plugin/process/frames.ts';

export interface FrameFigure {
  readonly stateMb: number;
  readonly chunkKib: number;
  readonly readMs: number;
  readonly mbPerS: number;
}

export function frameFigure(stateMb = 80, chunkKib = 64): FrameFigure {
  const payload = new Uint8Array(stateMb * 1024 * 1024).fill(7);
  const bytes = encodeFrame({ type: 'state' }, payload);
  const chunk = chunkKib * 1024;
  const reader = new FrameReader();
  const t0 = performance.now();
  let frames = 0;
  for (let i = 0; i < bytes.length; i += chunk)
    frames += reader.push(bytes.subarray(i, i + chunk)).length;
  const readMs = performance.now() - t0;
  if (frames !== 1) throw new Error(`frame bench: read ${frames} frames, expected 1`);
  return { stateMb, chunkKib, readMs, mbPerS: stateMb / (readMs / 1000) };
}

/** The figure as the bench's summary line prints it. */
export function frameLine(f: FrameFigure): string {
  return `frames: a ${f.stateMb} MB state in ${f.chunkKib} KiB chunks read in ${f.readMs.toFixed(0)} ms (${f.mbPerS.toFixed(0)} MB/s)`;
}
