/**
 * The alarm metrics broken down by any column (issue 7/7: "each with a CI and in every
 * breakdown"): the systems of each stratum judged on their own by `evaluateAlarms`. Strata are
 * named as the one-score breakdown names them (breakdown.ts): a system is in each of its values
 * (scenario tags), and one without a value is in `(missing)`, so that the alarm cells line up
 * with the one-score cells of the same column. A stratum of failures only (a failure type) has
 * no false-alarm rate and one of normals only no warning time: those are null with the reason.
 */
import { evaluateAlarms } from './alarms.ts';
import type { AlarmMetricSet, AlarmOptions, AlarmSystem } from './alarm-types.ts';
import { MISSING_STRATUM } from './breakdown.ts';

/** One stratum of a column with the alarm metrics of its systems. */
export interface AlarmStratumCell extends AlarmMetricSet {
  readonly stratum: string;
  /** Systems in the stratum. */
  readonly systems: number;
}

/** A system's value(s) in a column: one, several, or none (null, undefined, '' or []). */
export type AlarmStratumValue = string | readonly string[] | null | undefined;

/** The names of the strata a value puts its system in (each once). */
function strataNames(v: AlarmStratumValue): readonly string[] {
  if (Array.isArray(v)) return v.length > 0 ? [...new Set(v.map(String))] : [MISSING_STRATUM];
  return v === null || v === undefined || v === '' ? [MISSING_STRATUM] : [String(v)];
}

/**
 * One cell per stratum of a column, sorted by stratum name; `valueOf(k)` is system k's value.
 * Each stratum's bootstrap is seeded apart (`<seed>:<column>=<stratum>`), so adding a column
 * changes no other cell.
 */
export function alarmBreakdown(
  column: string,
  systems: readonly AlarmSystem[],
  valueOf: (k: number) => AlarmStratumValue,
  options: AlarmOptions = {},
): AlarmStratumCell[] {
  const members = new Map<string, AlarmSystem[]>();
  systems.forEach((sys, k) => {
    for (const name of strataNames(valueOf(k))) {
      const list = members.get(name);
      if (list) list.push(sys);
      else members.set(name, [sys]);
    }
  });
  return [...members.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((stratum) => {
      const list = members.get(stratum)!;
      const s = evaluateAlarms(list, {
        ...options,
        seed: `${options.seed ?? 'alarms'}:${column}=${stratum}`,
      });
      return {
        stratum,
        systems: list.length,
        metrics: s.metrics,
        ci: s.ci,
        undefined: s.undefined,
        distributions: s.distributions,
      };
    });
}
