/** Shared helpers of the synth tests. */
import { resolveScenario } from '../../../src/synth/define.ts';
import type { ResolvedScenario, ScenarioSpec } from '../../../src/synth/types.ts';

/** No data-quality faults at all: the physics and the measurement noise only. */
export const NO_FAULTS = {
  sensorDropout: 0,
  stuckSensor: 0,
  spike: 0,
  timestampGap: 0,
  noisyNormal: 0,
} as const;

/** A resolved scenario from a partial spec. */
export function scenario(spec: Omit<ScenarioSpec, 'name'> & { name?: string }): ResolvedScenario {
  return resolveScenario({ name: 'test', ...spec });
}

/** Finite values of a column between two row indices. */
export function finite(col: Float64Array, from = 0, to = col.length): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) {
    const v = col[i] as number;
    if (Number.isFinite(v)) out.push(v);
  }
  return out;
}

export const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

/** The column of a generated system, failing loudly when absent. */
export function col(columns: Readonly<Record<string, Float64Array>>, name: string): Float64Array {
  const c = columns[name];
  if (!c) throw new Error(`missing column ${name}`);
  return c;
}

/** Byte-level equality of two Float64Arrays (NaN equals NaN). */
export function sameBytes(a: Float64Array, b: Float64Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}
