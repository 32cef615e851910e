/**
 * Checks of each mapped column's readings as a whole, after every row is read. A wrong unit or
 * an empty column drops or distorts every value of a sensor while each row looks fine on its
 * own: SOC written 0–1 became 0.5 %, cell voltages in mV were all out of range, an empty column
 * imported as nothing, each with exit 0. So:
 *
 * - a column left with no reading at all, or with more than {@link MOSTLY} of its readings out
 *   of range, is a located error (exit 2) saying what was seen and, when one fits, the unit;
 * - readings in range but implausible for a BESS (see {@link TYPICAL}, and SOC never above 1 %)
 *   are a warning naming the column and the likely unit.
 */
import type { Problem } from '../../errors.ts';
import { PHYSICAL_LIMITS, type Sensor } from '../schema.ts';
import type { ColumnMapping, Mapping } from './mapping.ts';
import type { CleanSeries, ImportTally, ReadingStats } from './transform.ts';
import { CONTRACT_UNIT, SENSOR_QUANTITY, UNITS } from './units.ts';

/** Share of a column's readings out of range above which its unit (or range) is taken to be wrong. */
export const MOSTLY = 0.5;

/**
 * Where the median of a sensor lies in any BESS, in the contract unit, and a central value the
 * unit suggestion aims at. Deliberately wide (a 48 V pack, a cold or hot site); a median outside
 * is a unit mistake, not a battery (field-stats.md: cells 2.8–3.6 V LFP, packs 573–762 V).
 */
export const TYPICAL: Readonly<Partial<Record<Sensor, { readonly min: number; readonly max: number; readonly center: number }>>> = {
  voltage_v: { min: 5, max: 2000, center: 700 },
  cell_voltage_max_v: { min: 0.5, max: 5, center: 3.5 },
  cell_voltage_min_v: { min: 0.5, max: 5, center: 3.5 },
  soc_pct: { min: 1, max: 100, center: 50 },
  temp_cell_max_c: { min: -50, max: 150, center: 25 },
  temp_cell_min_c: { min: -50, max: 150, center: 25 },
  temp_ambient_c: { min: -50, max: 150, center: 25 },
};

/** Median values are estimated from at most this many readings (evenly spaced): exact enough, and fast on long files. */
const MEDIAN_SAMPLE = 100_001;

export interface ReadingFindings {
  readonly problems: readonly Problem[];
  /** Located at the column's header cell; the message alone is the report's warning line. */
  readonly warnings: readonly Problem[];
}

interface Output {
  readonly name: string;
  readonly key: string;
  readonly spec: ColumnMapping;
  readonly sensor?: Sensor;
}

export function checkReadings(mapping: Mapping, tally: ImportTally, series: readonly CleanSeries[]): ReadingFindings {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const outputs: Output[] = [
    ...(Object.entries(mapping.columns) as [Sensor, ColumnMapping][]).map(([name, spec]) => ({ name, key: `columns.${name}`, spec, sensor: name })),
    ...Object.entries(mapping.extra).map(([name, spec]) => ({ name, key: `extra.${name}`, spec })),
  ];
  for (const o of outputs) {
    const seen = tally.readings.get(o.name);
    if (!seen) continue;
    const kept = keptValues(series, o.name);
    const at = (message: string): Problem => ({ ...seen.header, message: `${seen.header.message}${message}` });
    const col = o.spec.sources.length === 1 ? `column ${JSON.stringify(o.spec.from)}` : `columns ${o.spec.from}`;
    if (seen.numbers > 0 && seen.outOfRange / seen.numbers > MOSTLY) {
      problems.push({ ...(seen.firstOutOfRange ?? at('')), message: `${o.key}: ${outOfRangeMessage(o, seen, col)}` });
    } else if (kept.length === 0) {
      problems.push(at(`${o.key}: ${col} has no reading in any row (${emptyCause(tally, o.name, seen)}): map the column that holds it, or remove ${o.key}`));
    } else {
      if (o.sensor !== undefined) {
        const warning = implausible(o, o.sensor, kept, col);
        if (warning) warnings.push(at(warning));
      }
      const bySystem = systemFindings(o, tally, series, col);
      problems.push(...bySystem.problems);
      if (bySystem.empty) warnings.push(at(bySystem.empty));
    }
  }
  return { problems, warnings };
}

/**
 * The whole-column checks again, system by system, for a column that passed them as a whole: a
 * site whose file writes the column in another unit (mV beside the others' V) is a minority of
 * the rows, so its readings, all out of range and dropped, passed under {@link MOSTLY}, and a
 * rack whose column is empty imported with no reading of it beside full ones. The first is an
 * error at that system's first out-of-range cell; the second a warning naming the systems.
 */
function systemFindings(o: Output, tally: ImportTally, series: readonly CleanSeries[], col: string): { problems: Problem[]; empty?: string } {
  const problems: Problem[] = [];
  const empty: string[] = [];
  for (const s of series) {
    const own = tally.systemReadings.get(s.key)?.get(o.name);
    if (own && own.numbers > 0 && own.outOfRange / own.numbers > MOSTLY) {
      problems.push({
        ...(own.firstOutOfRange ?? own.header),
        message: `${o.key}: system ${s.key} alone: ${outOfRangeMessage(o, own, col)}; the other systems' readings fit, so import its files with a mapping of their own`,
      });
    } else if (!hasReading(s.columns[o.name])) empty.push(s.key);
  }
  if (empty.length === 0) return { problems };
  const named = empty.length <= 5 ? empty.join(', ') : `${empty.slice(0, 5).join(', ')} and ${empty.length - 5} more`;
  return { problems, empty: `${o.key} (${col}): no reading in ${empty.length} of ${series.length} systems (${named}): their series will have none` };
}

function hasReading(c: Float64Array | undefined): boolean {
  if (c) for (const v of c) if (v === v) return true;
  return false;
}

function keptValues(series: readonly CleanSeries[], name: string): number[] {
  const out: number[] = [];
  for (const s of series) {
    const c = s.columns[name];
    if (c) for (const v of c) if (v === v) out.push(v);
  }
  return out;
}

function emptyCause(tally: ImportTally, name: string, seen: ReadingStats): string {
  const sentinels = tally.drops.get('sentinel')?.sensors[name] ?? 0;
  const words = tally.drops.get('unparsable_value')?.sensors[name] ?? 0;
  const causes = [
    ...(sentinels > 0 ? [`${sentinels} sentinel value(s)`] : []),
    ...(words > 0 ? [`${words} cell(s) not a number`] : []),
    ...(seen.outOfRange > 0 ? [`${seen.outOfRange} out of range`] : []),
  ];
  return causes.length > 0 ? causes.join(', ') : 'every cell empty';
}

const fmt = (v: number): string => String(Number(v.toPrecision(4)));

function outOfRangeMessage(o: Output, seen: ReadingStats, col: string): string {
  const lim = o.spec.range ?? (o.sensor ? [PHYSICAL_LIMITS[o.sensor]?.min, PHYSICAL_LIMITS[o.sensor]?.max] : []);
  const unit = o.sensor ? ` ${CONTRACT_UNIT[SENSOR_QUANTITY[o.sensor]]}` : '';
  const head = `${seen.outOfRange} of ${seen.numbers} readings of ${col} are outside [${lim[0]}, ${lim[1]}]${unit} (written as ${fmt(seen.rawMin)}…${fmt(seen.rawMax)}${o.spec.unit ? ` in unit "${o.spec.unit}"` : ''})`;
  const better = o.sensor ? betterUnit(o.sensor, o.spec, (seen.rawMin + seen.rawMax) / 2, [seen.rawMin, seen.rawMax]) : undefined;
  if (better) return `${head}: they look like unit "${better}": set "unit": "${better}"`;
  return `${head}: is the unit, scale or range right?`;
}

/** A warning for readings in range that no BESS reports, or undefined. */
function implausible(o: Output, sensor: Sensor, kept: number[], col: string): string | undefined {
  const typical = TYPICAL[sensor];
  if (!typical) return undefined;
  const unit = CONTRACT_UNIT[SENSOR_QUANTITY[sensor]];
  const min = kept.reduce((a, v) => (v < a ? v : a), Infinity);
  const max = kept.reduce((a, v) => (v > a ? v : a), -Infinity);
  const hint = (fit: string | undefined): string => (fit ? `: they look like unit "${fit}": set "unit": "${fit}"` : ': is the unit right?');
  const spec = o.spec;
  // Back to the numbers as written, so a suggested unit replaces the mapped one.
  const raw = (v: number): number => ((v - spec.unitOffset) / spec.factor - spec.offset) / spec.scale;
  if (sensor === 'soc_pct' && max <= 1) {
    return `${o.key} (${col}): SOC is never above 1 % (${fmt(min)}…${fmt(max)} %), a fraction 0–1 read as percent${hint(betterUnit(sensor, spec, raw(max), [raw(min), raw(max)]))}`;
  }
  const median = medianOf(kept);
  if (median >= typical.min && median <= typical.max) return undefined;
  const fit = betterUnit(sensor, spec, raw(median), [raw(min), raw(max)]);
  return `${o.key} (${col}): median ${fmt(median)} ${unit}, outside the ${typical.min}…${typical.max} ${unit} of any BESS${hint(fit)}`;
}

function medianOf(values: number[]): number {
  const stride = Math.max(1, Math.floor(values.length / MEDIAN_SAMPLE));
  const sample = Float64Array.from({ length: Math.ceil(values.length / stride) }, (_, i) => values[i * stride]!).sort();
  return sample[sample.length >> 1]!;
}

/**
 * The unit of the sensor's quantity, other than the mapped one, that puts a raw median inside
 * {@link TYPICAL} and the raw extremes inside the physical limits, the nearest the center
 * (relative to the typical span); undefined when none does.
 */
function betterUnit(sensor: Sensor, spec: ColumnMapping, rawMedian: number, rawExtremes: readonly number[]): string | undefined {
  const typical = TYPICAL[sensor];
  const limits = spec.range ? { min: spec.range[0], max: spec.range[1] } : PHYSICAL_LIMITS[sensor];
  if (!typical || !limits) return undefined;
  let best: { unit: string; distance: number } | undefined;
  const seenConversions = new Set<string>();
  for (const [unit, def] of Object.entries(UNITS)) {
    if (def.quantity !== SENSOR_QUANTITY[sensor] || unit === spec.unit) continue;
    if (def.factor === spec.factor && def.offset === spec.unitOffset) continue;
    // Aliases (°C and C) convert alike: the first name written in UNITS stands for them.
    const conversion = `${def.factor}/${def.offset}`;
    if (seenConversions.has(conversion)) continue;
    seenConversions.add(conversion);
    const value = (raw: number): number => (raw * spec.scale + spec.offset) * def.factor + def.offset;
    const m = value(rawMedian);
    if (m < typical.min || m > typical.max) continue;
    if (rawExtremes.some((r) => value(r) < limits.min || value(r) > limits.max)) continue;
    const distance = Math.abs(m - typical.center) / (typical.max - typical.min);
    if (!best || distance < best.distance) best = { unit, distance };
  }
  return best?.unit;
}
