/**
 * Units a real export may carry and how each converts to the contract's unit for its sensor:
 * value_in_contract_unit = value_in_unit × factor + offset. A unit belongs to one quantity, and
 * a mapping may only give a sensor a unit of that sensor's quantity (mV for a voltage, not for a
 * temperature).
 */
import type { Sensor } from '../schema.ts';

export type Quantity = 'voltage' | 'current' | 'soc' | 'temperature' | 'resistance';

export const SENSOR_QUANTITY: Readonly<Record<Sensor, Quantity>> = {
  voltage_v: 'voltage',
  current_a: 'current',
  soc_pct: 'soc',
  temp_cell_max_c: 'temperature',
  temp_cell_min_c: 'temperature',
  temp_ambient_c: 'temperature',
  cell_voltage_max_v: 'voltage',
  cell_voltage_min_v: 'voltage',
  insulation_resistance_kohm: 'resistance',
};

interface UnitDef {
  readonly quantity: Quantity;
  readonly factor: number;
  readonly offset: number;
}

const u = (quantity: Quantity, factor: number, offset = 0): UnitDef => ({ quantity, factor, offset });

/** Unit name → conversion. Aliases (°C, Ω, …) point at the same conversion. */
export const UNITS: Readonly<Record<string, UnitDef>> = {
  V: u('voltage', 1),
  mV: u('voltage', 0.001),
  kV: u('voltage', 1000),
  '0.1V': u('voltage', 0.1),
  '0.01V': u('voltage', 0.01),
  A: u('current', 1),
  mA: u('current', 0.001),
  kA: u('current', 1000),
  '0.1A': u('current', 0.1),
  '0.01A': u('current', 0.01),
  '%': u('soc', 1),
  '0.1%': u('soc', 0.1),
  '0.01%': u('soc', 0.01),
  fraction: u('soc', 100),
  C: u('temperature', 1),
  '°C': u('temperature', 1),
  '0.1C': u('temperature', 0.1),
  '0.1°C': u('temperature', 0.1),
  '0.01C': u('temperature', 0.01),
  '0.01°C': u('temperature', 0.01),
  K: u('temperature', 1, -273.15),
  '0.1K': u('temperature', 0.1, -273.15),
  F: u('temperature', 5 / 9, -32 * (5 / 9)),
  '°F': u('temperature', 5 / 9, -32 * (5 / 9)),
  kOhm: u('resistance', 1),
  'kΩ': u('resistance', 1),
  MOhm: u('resistance', 1000),
  'MΩ': u('resistance', 1000),
  Ohm: u('resistance', 0.001),
  'Ω': u('resistance', 0.001),
};

/** The contract's unit of a sensor, as the README writes it. */
export const CONTRACT_UNIT: Readonly<Record<Quantity, string>> = {
  voltage: 'V',
  current: 'A',
  soc: '%',
  temperature: 'C',
  resistance: 'kOhm',
};

export function unitsOf(quantity: Quantity): string[] {
  return Object.entries(UNITS)
    .filter(([, d]) => d.quantity === quantity)
    .map(([n]) => n);
}

export function unitDef(name: string): UnitDef | undefined {
  return Object.hasOwn(UNITS, name) ? UNITS[name] : undefined;
}
