/**
 * The rack's electrical and thermal state from its current and SOC: each cell's open-circuit
 * voltage, I·R and polarization, a first-order thermal model behind an HVAC-controlled container,
 * and the insulation resistance. The highest and lowest cell voltages come out of the physics of a
 * cell population (pack.ts): each cell has its own capacity, resistance and SOC offset, its
 * resistance rises at low SOC and low temperature, so ΔV is a few mV at rest, grows with current,
 * and has a steep knee at low SOC under load (the weakest cell reaches the steep end of the OCV
 * curve first). Failure modifiers (failures.ts) act on the same cells, so each precursor follows
 * the same physics as the healthy signal.
 */
import type { FailureModifiers } from './failures.ts';
import {
  arrheniusFactor,
  CHEMISTRY_PROFILES,
  lookup,
  lowSocTable,
  ocv,
  ocvTable,
} from './chemistry.ts';
import { drawCellPopulation, REFERENCE_PACK, type CellPopulation, type PackSpec } from './pack.ts';
import type { Rng } from './random.ts';
import { INSULATION_SENSOR_MAX_KOHM } from './bounds.ts';

/** LFP open-circuit voltage curve (SOC %, V): flat plateau over 20–90 %, steep at both ends. */
export const LFP_OCV_POINTS = CHEMISTRY_PROFILES.LFP.ocv;

/** Open-circuit voltage (V) of an LFP cell at `socPct` (clamped to 0–100). */
export function lfpOcv(socPct: number): number {
  return ocv('LFP', socPct);
}

/** Inputs of the cell model for one system. */
export interface CellModelInput {
  readonly current: Float64Array;
  readonly soc: Float64Array;
  readonly ambientC: Float64Array;
  readonly humidity: Float64Array;
  readonly intervalSeconds: number;
  readonly modifiers: FailureModifiers;
  /** The rack; the reference 240-cell LFP rack when absent. */
  readonly pack?: PackSpec;
  /** Draws the system's own constants (resistance, cell population, HVAC setpoints, insulation). */
  readonly rng: Rng;
}

/** Clean (noise-free) sensor signals of the cell model. */
export interface CellSeries {
  readonly voltage: Float64Array;
  readonly cellVoltageMax: Float64Array;
  readonly cellVoltageMin: Float64Array;
  readonly tempMax: Float64Array;
  readonly tempMin: Float64Array;
  readonly insulation: Float64Array;
}

/** SOC (%) of a cell when the rack (its mean cell) is at `socPct`: top-balanced, so capacity spread shows at low SOC. */
function cellSoc(socPct: number, capacity: number, offset: number): number {
  return 100 + offset - (100 - socPct) / capacity;
}

/** Test points of {@link extremeCellGrid}: SOC (%) × C-rate, spanning what a rack goes through. */
const PROBE_SOC = [
  ...Array.from({ length: 20 }, (_, k) => k + 0.5),
  ...Array.from({ length: 21 }, (_, k) => 20 + 4 * k),
];
/** C-rates as multiples of the rack's limit; ×4 stands in for cold (Arrhenius) and fault-raised resistance. */
const PROBE_CRATE = [-4, -2, -1.5, -1, -0.6, -0.3, -0.1, 0, 0.1, 0.3, 0.6, 1, 1.5, 2, 4];

/** Which cells can be the highest or lowest, per cell of the SOC × current grid. */
export interface ExtremeCellGrid {
  /** Every cell that is extreme somewhere (ascending cell index). */
  readonly cells: readonly number[];
  /** Per grid point (SOC-major): the positions in `cells` of its two highest and two lowest cells. */
  readonly corners: readonly Uint16Array[];
  /** Per grid cell ({@link gridCell}): its candidates, filled by {@link gridCandidates} on first use. */
  readonly table: (Uint16Array | undefined)[];
}

/** Index of the grid cell holding SOC `socPct` and a current of `cRate` × the probe's 1 C-unit (edges extend outward). */
export function gridCell(socPct: number, cRate: number): number {
  const ns = PROBE_SOC.length;
  let si = socPct < 20 ? Math.floor(socPct - 0.5) : 20 + Math.floor((socPct - 20) / 4);
  si = Math.min(ns - 2, Math.max(0, si));
  let ci = 0;
  while (ci < PROBE_CRATE.length - 2 && cRate >= (PROBE_CRATE[ci + 1] as number)) ci++;
  return si * (PROBE_CRATE.length - 1) + ci;
}

/**
 * The cells that can be the highest or the lowest of the rack. Simulating all cells of a rack
 * (240 for the reference rack, 334 for a 768 V LTO rack) per sample would multiply the cost of
 * the cell model by the cell count; instead every cell is evaluated once at a grid of SOC ×
 * current (PROBE_SOC × PROBE_CRATE, with the rack's own resistance) and the two highest and two
 * lowest at each grid point are kept: 30–45 cells over the whole grid (the capacity, resistance
 * and SOC-offset tails and the combinations that win in between), about 10 per grid cell. A cell's
 * voltage is smooth in SOC and current, so inside a grid cell the extreme is the extreme or the
 * runner-up at one of its corners or of the ring of grid points around them; a test (test/unit/synth/chemistry-pack.test.ts) checks
 * max − min against all cells of the rack at random points.
 */
export function extremeCellGrid(
  pop: CellPopulation,
  ocvLut: Float64Array,
  socLut: Float64Array,
  ohmPerCell: number,
  oneC: number,
): ExtremeCellGrid {
  const n = pop.capacity.length;
  const nc = PROBE_CRATE.length;
  const corners: number[][] = [];
  const open = new Float64Array(n);
  const ir = new Float64Array(n);
  for (const s of PROBE_SOC) {
    // OCV and resistance of each cell depend on SOC only: once per SOC, then every current.
    for (let j = 0; j < n; j++) {
      const sj = cellSoc(s, pop.capacity[j] as number, pop.socOffset[j] as number);
      open[j] = lookup(ocvLut, sj);
      ir[j] = ohmPerCell * lookup(socLut, sj) * (pop.resistance[j] as number);
    }
    for (const c of PROBE_CRATE) {
      const I = c * oneC;
      // The two highest and the two lowest cells at this grid point, in one pass.
      let h1 = -1,
        h2 = -1,
        l1 = -1,
        l2 = -1,
        vh1 = -Infinity,
        vh2 = -Infinity,
        vl1 = Infinity,
        vl2 = Infinity;
      for (let j = 0; j < n; j++) {
        const v = (open[j] as number) - I * (ir[j] as number);
        if (v > vh1) ((h2 = h1), (vh2 = vh1), (h1 = j), (vh1 = v));
        else if (v > vh2) ((h2 = j), (vh2 = v));
        if (v < vl1) ((l2 = l1), (vl2 = vl1), (l1 = j), (vl1 = v));
        else if (v < vl2) ((l2 = j), (vl2 = v));
      }
      corners.push([h1, h2, l1, l2].filter((j) => j >= 0));
    }
  }
  const cells = [...new Set(corners.flat())].sort((a, b) => a - b);
  const pos = new Map(cells.map((j, k) => [j, k]));
  return {
    cells,
    corners: corners.map((js) => Uint16Array.from(js, (j) => pos.get(j) as number)),
    table: new Array<Uint16Array | undefined>((PROBE_SOC.length - 1) * (nc - 1)),
  };
}

/**
 * The candidates of one grid cell (positions in `grid.cells`): the extremes at its four corners
 * and the ring of grid points around them, since an envelope can turn between grid points.
 * Built on first use: a system visits only part of the grid.
 */
export function gridCandidates(grid: ExtremeCellGrid, cell: number): Uint16Array {
  const known = grid.table[cell];
  if (known) return known;
  const nc = PROBE_CRATE.length;
  const si = Math.floor(cell / (nc - 1));
  const ci = cell % (nc - 1);
  const mark = new Uint8Array(grid.cells.length);
  for (let a = Math.max(0, si - 1); a <= Math.min(PROBE_SOC.length - 1, si + 2); a++)
    for (let b = Math.max(0, ci - 1); b <= Math.min(nc - 1, ci + 2); b++)
      for (const k of grid.corners[a * nc + b] as Uint16Array) mark[k] = 1;
  const out: number[] = [];
  for (let k = 0; k < mark.length; k++) if (mark[k]) out.push(k);
  const here = Uint16Array.from(out);
  grid.table[cell] = here;
  return here;
}

/** Runs the electrical, thermal and insulation models sample by sample. */
export function simulateCells(input: CellModelInput): CellSeries {
  const { current, soc, ambientC, humidity, intervalSeconds: dt, modifiers: m, rng } = input;
  const pack = input.pack ?? REFERENCE_PACK;
  const profile = CHEMISTRY_PROFILES[pack.chemistry];
  const ocvLut = ocvTable(pack.chemistry);
  const socLut = lowSocTable(profile);
  const n = current.length;
  const [vLimLo, vLimHi] = profile.limits;
  const oneC = pack.cellAh;

  // Per-system constants.
  const r25 = rng.uniform(...profile.resistanceOhm); // Ω per cell, DC, mid SOC
  const rPol = rng.uniform(...profile.polarizationOhm); // Ω, polarization branch
  const rBus = 0.005; // Ω, busbars and fuses of the whole rack
  // Four draws that generator v1 spent on fixed cell offsets: skipping them keeps every other
  // constant of a system (thermal, HVAC, insulation) as it was, so the cell population changes
  // the cell voltages and nothing else.
  for (let k = 0; k < 4; k++) rng.next();
  const spreadBase = rng.uniform(1.5, 3.5); // °C across the rack's probes at rest
  const coolSet = rng.uniform(23, 26);
  const heatSet = rng.uniform(10, 14);
  const rThermal = 0.6; // K/W cell to air: ≈ 6 °C rise at a sustained 0.5C
  const insulationDry = rng.uniform(8000, 20000); // kΩ: above the sensor clamp when healthy
  const dipDepth = rng.uniform(0.8, 1.4);
  const pop = drawCellPopulation(profile, pack.cellsInSeries, rng);
  // The leaking cell of an internal short is any cell of the rack, drawn whether or not it leaks.
  const leaky = rng.int(0, pack.cellsInSeries - 1);

  const probeOhm = r25 + rPol;
  const probeC = oneC * pack.maxCRate;
  const grid = extremeCellGrid(pop, ocvLut, socLut, probeOhm, probeC);
  const cand = [...grid.cells];
  // The diverging cell of an imbalance is the lowest-capacity cell: it drifts further each cycle.
  let diverging = 0;
  for (let j = 1; j < pack.cellsInSeries; j++)
    if ((pop.capacity[j] as number) < (pop.capacity[diverging] as number)) diverging = j;
  if (!cand.includes(diverging)) cand.push(diverging);
  const k = cand.length;
  const everyCandidate = Uint16Array.from(cand, (_, c) => c);
  const cCap = Float64Array.from(cand, (j) => pop.capacity[j] as number);
  const cRes = Float64Array.from(cand, (j) => pop.resistance[j] as number);
  const cOff = Float64Array.from(cand, (j) => pop.socOffset[j] as number);
  const divK = cand.indexOf(diverging);

  const kPol = 1 - Math.exp(-dt / 600);
  const kCell = 1 - Math.exp(-dt / 3600);
  const kAir = 1 - Math.exp(-dt / 5400);
  const kHot = 1 - Math.exp(-dt / 1200);

  const voltage = new Float64Array(n);
  const cellVoltageMax = new Float64Array(n);
  const cellVoltageMin = new Float64Array(n);
  const tempMax = new Float64Array(n);
  const tempMin = new Float64Array(n);
  const insulation = new Float64Array(n);

  let air = Math.min(coolSet, Math.max(heatSet, (ambientC[0] as number) + 3));
  let cellT = air;
  let vPol = 0;
  let hot = 0;
  let load = 0;
  for (let i = 0; i < n; i++) {
    const I = current[i] as number;
    const s = soc[i] as number;
    const amb = ambientC[i] as number;
    const rf = m.resistanceFactor ? (m.resistanceFactor[i] as number) : 1;
    const loss = m.coolingLoss ? (m.coolingLoss[i] as number) : 0;
    const atRest = Math.abs(I) < 0.05 * oneC;

    // Thermal: container air under HVAC, then cells behind a thermal resistance.
    load += (Math.min(2, Math.abs(I) / (0.5 * oneC)) - load) * kAir;
    const free = amb + 3 + 4 * load;
    let target =
      free > coolSet
        ? coolSet + 0.1 * (free - coolSet)
        : free < heatSet
          ? heatSet - 0.05 * (heatSet - free)
          : free;
    target += loss * (Math.max(0, free - target) + 3 + 4 * load);
    air += (target - air) * kAir;
    const tf = arrheniusFactor(profile, cellT) * rf;
    const rOhm = r25 * tf;
    const gMean = lookup(socLut, s);
    const heatW = I * I * rOhm * gMean;
    cellT += (air + heatW * rThermal * (1 + loss) - cellT) * kCell;
    const highSocRest = Math.min(1, Math.max(0, (s - 60) / 30)) * (atRest ? 1 : 0.4);
    const hotTarget = m.hotSpotC ? (m.hotSpotC[i] as number) * (0.35 + 0.65 * highSocRest) : 0;
    hot += (hotTarget - hot) * kHot;
    const spread = spreadBase + 0.35 * Math.max(0, cellT - air) + 3 * loss;
    tempMax[i] = cellT + 0.6 * spread + hot;
    tempMin[i] = cellT - 0.4 * spread;

    // Electrical: the mean cell carries the rack voltage; the candidates give max and min.
    vPol += (I * rPol * tf - vPol) * kPol;
    const drop = I * rOhm + vPol;
    const avg = lookup(ocvLut, s) - drop * gMean;
    const mismatch = m.mismatchPct ? (m.mismatchPct[i] as number) : 0;
    const resSpread = m.resistanceMismatchFactor ? (m.resistanceMismatchFactor[i] as number) : 1;
    // A fault moves cells off the probe grid's assumptions: then every candidate is evaluated.
    const here =
      mismatch === 0 && resSpread === 1
        ? gridCandidates(grid, gridCell(s, drop / (probeOhm * probeC)))
        : everyCandidate;
    let hi = -Infinity;
    let lo = Infinity;
    for (let h = 0; h < here.length; h++) {
      const c = here[h] as number;
      const sc = cellSoc(s, cCap[c] as number, cOff[c] as number) - (c === divK ? mismatch : 0);
      const v =
        lookup(ocvLut, sc) -
        drop * lookup(socLut, sc) * (1 + ((cRes[c] as number) - 1) * resSpread);
      if (v > hi) hi = v;
      if (v < lo) lo = v;
    }
    let packDeficit = 0;
    if (m.weakCellDeficitPct) {
      const sw =
        cellSoc(s, pop.capacity[leaky] as number, pop.socOffset[leaky] as number) -
        (m.weakCellDeficitPct[i] as number);
      const weak =
        lookup(ocvLut, sw) -
        drop * lookup(socLut, sw) * (pop.resistance[leaky] as number) -
        (m.weakCellRestDropV ? (m.weakCellRestDropV[i] as number) : 0) * (atRest ? 1 : 0.3);
      packDeficit += Math.max(0, avg - weak);
      lo = Math.min(lo, weak);
    }
    if (m.cellSagV) {
      lo -= m.cellSagV[i] as number;
      packDeficit += m.cellSagV[i] as number;
    }
    // The BMS stops current at the cell limits, so a reading never passes them.
    cellVoltageMax[i] = Math.min(vLimHi, Math.max(vLimLo, hi));
    cellVoltageMin[i] = Math.min(vLimHi, Math.max(vLimLo, lo));
    const avgClamped = Math.min(vLimHi, Math.max(vLimLo, avg));
    voltage[i] = pack.cellsInSeries * avgClamped - packDeficit - I * rBus;

    // Insulation: dry value × condensation dips when humidity is high.
    const factor = m.insulationFactor ? (m.insulationFactor[i] as number) : 1;
    const gain = m.insulationDipGain ? (m.insulationDipGain[i] as number) : 1;
    const wet = Math.max(0, ((humidity[i] as number) - 0.72) / 0.28);
    insulation[i] = Math.min(
      INSULATION_SENSOR_MAX_KOHM,
      insulationDry * factor * Math.exp(-dipDepth * gain * wet),
    );
  }
  return { voltage, cellVoltageMax, cellVoltageMin, tempMax, tempMin, insulation };
}
