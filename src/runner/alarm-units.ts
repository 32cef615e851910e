/**
 * What the alarm metrics of a run judge: one unit per monitored asset, by the rule in
 * metrics/alarm-racks.ts (shared with `harness evaluate --alarms`). Here a rack's windows' scored
 * instants are merged into one timeline and its alarms are raised on it; a failing rack's
 * timeline is cut into one piece per distinct failure_at.
 */
import { labelInstantMs } from '../data/index.ts';
import type { SystemRecord } from '../data/types.ts';
import {
  alarmsFromScores,
  groupRacks,
  momentsOf,
  rackAlarmSystems,
  rackWindowLabel,
  type AlarmSystem,
  type Debounce,
} from '../metrics/index.ts';
import type { OverTime } from './over-time.ts';

/** One judged unit: its alarms and ground truth, its timeline, and the test systems it holds. */
export interface AlarmUnit {
  readonly system: AlarmSystem;
  readonly overTime: OverTime;
  /**
   * Test indices whose breakdown values are the unit's: the windows that carry its label (a
   * failing rack's anomalous windows of that failure; every window of a normal rack).
   */
  readonly members: readonly number[];
}

/**
 * The span a normal's false alarms are counted over: first to last instant with a score, since an
 * alarm can fire nowhere else (a model that scored nothing was watching nothing: `unscored`, no
 * time at all). A failure keeps its series' span, which says whether the data reaches its event
 * window.
 */
function observedSpan(
  anomaly: boolean,
  o: OverTime,
): Pick<AlarmSystem, 'spanStart' | 'spanEnd' | 'unscored'> {
  if (anomaly) return { spanStart: o.spanStart, spanEnd: o.spanEnd };
  let first = -1;
  let last = -1;
  for (let i = 0; i < o.score.length; i++) {
    if (o.score[i] !== o.score[i]) continue;
    if (first < 0) first = i;
    last = i;
  }
  return first < 0
    ? { spanStart: NaN, spanEnd: NaN, unscored: true }
    : { spanStart: o.t[first]!, spanEnd: o.t[last]! };
}

/** The units of a test split (in test order of their first system); systems without a score over time are left out. */
export function alarmUnits(
  test: readonly SystemRecord[],
  overTime: readonly (OverTime | null)[],
  threshold: number,
  debounce: Debounce,
): AlarmUnit[] {
  const groups = groupRacks(test.length, (i) =>
    overTime[i] ? { source: test[i]!.source, parent: test[i]!.metadata.parent_system_id } : null,
  );
  const units: AlarmUnit[] = [];
  for (const { rack, members } of groups) {
    const first = test[members[0]!]!;
    if (rack === undefined)
      units.push(systemUnit(first, members[0]!, overTime[members[0]!]!, threshold, debounce));
    else
      units.push(
        ...rackUnits(
          rack,
          members.map((i) => ({ index: i, record: test[i]!, overTime: overTime[i]! })),
          threshold,
          debounce,
        ),
      );
  }
  return units;
}

/** A system that is no window: judged on its own, as always. */
function systemUnit(
  s: SystemRecord,
  index: number,
  o: OverTime,
  threshold: number,
  debounce: Debounce,
): AlarmUnit {
  const anomaly = s.label.label === 'anomaly';
  return {
    system: {
      systemId: s.systemId,
      failureType: s.label.failure_type,
      anomaly,
      alarms: alarmsFromScores(o.t, o.score, threshold, debounce),
      failureAt: anomaly ? labelInstantMs(s.label.failure_at) : NaN,
      onsetAt: anomaly ? labelInstantMs(s.label.onset_at) : NaN,
      ...observedSpan(anomaly, o),
    },
    overTime: o,
    members: [index],
  };
}

interface Window {
  readonly index: number;
  readonly record: SystemRecord;
  readonly overTime: OverTime;
}

/**
 * The windows' instants in time order. Overlapping windows may score the same instant: it is
 * one moment of the rack, kept once with its highest score (NaN when none scored it), so an
 * overlap neither lengthens a run towards `minDuration` nor counts twice: the rule of tied
 * instants on one system (momentsOf, metrics/alarms-from-scores.ts), applied here.
 */
export function mergeTimelines(parts: readonly OverTime[]): OverTime {
  const order: { t: number; s: number }[] = [];
  for (const o of parts)
    for (let i = 0; i < o.t.length; i++) order.push({ t: o.t[i]!, s: o.score[i]! });
  order.sort((a, b) => a.t - b.t);
  const { t, score } = momentsOf({
    t: Float64Array.from(order, (p) => p.t),
    score: Float64Array.from(order, (p) => p.s),
  });
  let spanStart = Infinity;
  let spanEnd = -Infinity;
  for (const o of parts) {
    if (o.spanStart < spanStart) spanStart = o.spanStart;
    if (o.spanEnd > spanEnd) spanEnd = o.spanEnd;
  }
  return {
    t,
    score,
    spanStart: Number.isFinite(spanStart) ? spanStart : NaN,
    spanEnd: Number.isFinite(spanEnd) ? spanEnd : NaN,
  };
}

/** The units of one rack: one, or one per distinct failure_at (metrics/alarm-racks.ts). */
function rackUnits(
  rackId: string,
  windows: readonly Window[],
  threshold: number,
  debounce: Debounce,
): AlarmUnit[] {
  const merged = mergeTimelines(windows.map((w) => w.overTime));
  const labels = windows.map(({ record }) => rackWindowLabel(record.label, labelInstantMs));
  const pieces = rackAlarmSystems(rackId, labels, {
    alarms: alarmsFromScores(merged.t, merged.score, threshold, debounce),
    spanStart: merged.spanStart,
    spanEnd: merged.spanEnd,
    normalSpan: observedSpan(false, merged),
  });
  return pieces.map(({ system, members, from, to }) => {
    const whole = from === -Infinity && to === Infinity;
    const keep = Array.from(merged.t, (t) => t > from && t <= to);
    return {
      system,
      overTime: whole
        ? merged
        : {
            t: merged.t.filter((_, i) => keep[i]!),
            score: merged.score.filter((_, i) => keep[i]!),
            spanStart: system.spanStart,
            spanEnd: system.spanEnd,
          },
      members: members.map((k) => windows[k]!.index),
    };
  });
}
