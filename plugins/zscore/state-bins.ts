/**
 * Operating-state bins for `condition: 'state'`: a reading is compared with the training normals'
 * readings in the same state (SOC decile × current flow), not with every reading they have. A
 * healthy LFP rack's ΔV is 3–5 mV at rest and ~15 mV under load on the SOC plateau, but 80–120 mV
 * under load below 20 % SOC (field-stats.md): pooled, a system's largest z measures how deep it
 * discharges, i.e. its operating mode. Per state, it measures how far its cells stray from
 * healthy cells doing the same thing.
 */
import {
  powerCRate,
  REST_C_RATE,
  REST_CURRENT_A,
  type MetadataRow,
  type SystemSeries,
} from 'bess-harness';

/** SOC deciles 0–9. */
const SOC_BINS = 10;
/**
 * Current flow: rest, then charge and discharge each at three C-rates (below
 * {@link FLOW_C_RATES}[0], below [1], above). Without a C-rate (no voltage or capacity) a
 * reading is rest, charge or discharge at the lowest magnitude.
 */
const FLOW_BINS = 7;
/** C-rate edges (1/h) between the low, mid and high magnitude bins. */
const FLOW_C_RATES: readonly [number, number] = [0.15, 0.35];

/** Number of state bins. */
export const STATE_BINS = SOC_BINS * FLOW_BINS;
/**
 * The bin of a reading whose state is unknown (SOC, current or, with a capacity, voltage missing
 * at that sample): it is skipped, since a dropped current would otherwise put a reading under
 * load among the rest readings, where a healthy ΔV is a few mV.
 */
export const UNKNOWN_STATE = 255;

/** Fewest pooled training readings a bin needs for its own centre and scale; else the pooled ones. */
export const MIN_BIN_READINGS = 50;

/**
 * A bin's scale is at least this × the pooled scale: a state where healthy readings barely move
 * (ΔV at rest is often one or two 1-mV steps) must not turn a quantization step into a large z.
 */
export const MIN_BIN_SCALE_SHARE = 0.25;

/**
 * The state bin of every sample (0 … STATE_BINS − 1, or UNKNOWN_STATE); undefined for a series
 * without a SOC or a current column, whose states cannot be told apart (it is scored against the
 * pooled centre and scale).
 */
export function stateBins(
  series: SystemSeries,
  metadata: MetadataRow | undefined,
): Uint8Array | undefined {
  const soc = series.sensors['soc_pct'];
  const current = series.sensors['current_a'];
  if (!soc || !current) return undefined;
  const voltage = series.sensors['voltage_v'];
  const kwh = metadata?.capacity_kwh;
  const byCRate = voltage !== undefined && kwh !== undefined && kwh > 0;
  const out = new Uint8Array(soc.length);
  for (let i = 0; i < soc.length; i++) {
    const s = soc[i] as number;
    const c = current[i] as number;
    const rate = byCRate ? powerCRate(c, voltage[i] as number, kwh) : NaN;
    if (s !== s || c !== c || (byCRate && rate !== rate)) {
      out[i] = UNKNOWN_STATE;
      continue;
    }
    let flow = 0;
    if (byCRate) {
      if (rate >= REST_C_RATE) {
        const mag = rate >= FLOW_C_RATES[1] ? 2 : rate >= FLOW_C_RATES[0] ? 1 : 0;
        flow = (c > 0 ? 4 : 1) + mag; // positive current = discharge
      }
    } else if (Math.abs(c) >= REST_CURRENT_A) flow = c > 0 ? 4 : 1;
    out[i] = Math.min(9, Math.max(0, Math.floor(s / 10))) * FLOW_BINS + flow;
  }
  return out;
}

/** Per-bin centre and scale (NaN where the bin had too few training readings). */
export interface StateTable {
  readonly center: Float64Array;
  readonly scale: Float64Array;
}

/**
 * The column as z-scores: each reading minus its bin's centre, over its bin's scale, or over the
 * pooled ones where the bin has none; NaN for a reading of unknown state. Statistics then run
 * on it with centre 0 and scale 1.
 */
export function zByState(
  col: Float64Array,
  bins: Uint8Array,
  table: StateTable,
  center: number,
  scale: number,
): Float64Array {
  const out = new Float64Array(col.length);
  for (let i = 0; i < col.length; i++) {
    const b = bins[i] as number;
    if (b === UNKNOWN_STATE) {
      out[i] = NaN;
      continue;
    }
    const c = table.center[b] as number;
    out[i] =
      c === c
        ? ((col[i] as number) - c) / (table.scale[b] as number)
        : ((col[i] as number) - center) / scale;
  }
  return out;
}
