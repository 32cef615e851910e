/** Shared helpers of the synth tests. */
import { resolveScenario } from '../../../src/synth/define.ts';
import type { GeneratedSystem, ResolvedScenario, ScenarioSpec } from '../../../src/synth/types.ts';

/** No data-quality faults at all: the physics and the measurement noise only. */
export const NO_FAULTS = {
  sensorDropout: 0,
  stuckSensor: 0,
  spike: 0,
  timestampGap: 0,
  noisyNormal: 0,
} as const;

/** No normal operational events (synth/events.ts): SOC is an exact coulomb count, time is regular. */
export const NO_EVENTS = {
  jitter: 0,
  socRecalibration: 0,
  stringTrip: 0,
  repeatedRows: 0,
  idleDays: 0,
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

/**
 * The simulated rack's current: the bank current of `current_a` over the racks in parallel
 * (`plan.strings`), which is what the cell model and the C-rate limit see.
 */
export function rackCurrent(g: GeneratedSystem): Float64Array {
  const bank = col(g.columns, 'current_a');
  return g.plan.strings === 1 ? bank : bank.map((a) => a / g.plan.strings);
}

/** Byte-level equality of two Float64Arrays (NaN equals NaN). */
export function sameBytes(a: Float64Array, b: Float64Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}
