/**
 * What the alarm metrics judge: one unit per monitored asset. A system without a
 * `parent_system_id` is its own unit; the windows of one rack (same source and parent) are one
 * unit, because an operator watches the rack, not its windows: its windows' scored instants are
 * merged into one timeline, alarms are raised on it, and its failure is one event. Judged window
 * by window, a failing rack cut into ten windows was ten failures caught by ten alarms, and a
 * normal rack's time and alarms were counted once per window.
 *
 * A rack's label comes from its windows: it fails at the `failure_at` of its anomalous windows
 * (the generator gives every anomalous window its rack's failure_at and onset_at; the windows
 * before the precursor horizon are labelled normal, and are the rack's time before its failure:
 * alarms there are early, false alarms). When its anomalous windows name different failure_at
 * values (a rack that failed, was repaired and failed again), each failure is its own event: the
 * timeline is cut after each failure_at, and each piece is judged against the failure it ends
 * with (the last piece also holds what comes after the last failure). Windows of one failure
 * with different onsets take the earliest (the widest event window).
 */
import { labelInstantMs } from '../data/index.ts';
import type { SystemRecord } from '../data/types.ts';
import { alarmsFromScores, type AlarmSystem, type Debounce } from '../metrics/index.ts';
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

const instantOf = (text: string | undefined): number =>
  text === undefined ? NaN : labelInstantMs(text);

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
  const groups = new Map<string, number[]>();
  test.forEach((s, i) => {
    if (!overTime[i]) return;
    const parent = s.metadata.parent_system_id;
    // Keyed as the split keys racks: a real and a synthetic rack of the same name stay apart.
    const key = parent === undefined ? `\u0000${i}` : `${s.source}/${parent}`;
    const list = groups.get(key);
    if (list) list.push(i);
    else groups.set(key, [i]);
  });
  const units: AlarmUnit[] = [];
  for (const members of groups.values()) {
    const first = test[members[0]!]!;
    if (first.metadata.parent_system_id === undefined)
      units.push(systemUnit(first, members[0]!, overTime[members[0]!]!, threshold, debounce));
    else
      units.push(
        ...rackUnits(
          first.metadata.parent_system_id,
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
      failureAt: anomaly ? instantOf(s.label.failure_at) : NaN,
      onsetAt: anomaly ? instantOf(s.label.onset_at) : NaN,
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
 * overlap neither lengthens a run towards `minDuration` nor counts twice.
 */
export function mergeTimelines(parts: readonly OverTime[]): OverTime {
  const n = parts.reduce((a, o) => a + o.t.length, 0);
  const order: { t: number; s: number }[] = [];
  for (const o of parts)
    for (let i = 0; i < o.t.length; i++) order.push({ t: o.t[i]!, s: o.score[i]! });
  order.sort((a, b) => a.t - b.t);
  const t = new Float64Array(n);
  const score = new Float64Array(n);
  let k = -1;
  for (const p of order) {
    if (k >= 0 && t[k] === p.t) {
      const kept = score[k]!;
      if (p.s === p.s && (kept !== kept || p.s > kept)) score[k] = p.s;
      continue;
    }
    k++;
    t[k] = p.t;
    score[k] = p.s;
  }
  let spanStart = Infinity;
  let spanEnd = -Infinity;
  for (const o of parts) {
    if (o.spanStart < spanStart) spanStart = o.spanStart;
    if (o.spanEnd > spanEnd) spanEnd = o.spanEnd;
  }
  return {
    t: t.slice(0, k + 1),
    score: score.slice(0, k + 1),
    spanStart: Number.isFinite(spanStart) ? spanStart : NaN,
    spanEnd: Number.isFinite(spanEnd) ? spanEnd : NaN,
  };
}

/** The units of one rack: one, or one per distinct failure_at (see the module comment). */
function rackUnits(
  rackId: string,
  windows: readonly Window[],
  threshold: number,
  debounce: Debounce,
): AlarmUnit[] {
  const merged = mergeTimelines(windows.map((w) => w.overTime));
  const alarms = alarmsFromScores(merged.t, merged.score, threshold, debounce);
  const anomalous = windows.filter((w) => w.record.label.label === 'anomaly');
  const failures = [
    ...new Set(anomalous.map((w) => instantOf(w.record.label.failure_at)).filter(Number.isFinite)),
  ].sort((a, b) => a - b);
  if (failures.length === 0) {
    // A normal rack, or a failing one whose labels do not say when (not judged, as a system).
    const carriers = anomalous.length > 0 ? anomalous : windows;
    return [
      {
        system: {
          systemId: rackId,
          failureType: carriers[0]!.record.label.failure_type,
          anomaly: anomalous.length > 0,
          alarms,
          failureAt: NaN,
          onsetAt: NaN,
          ...observedSpan(anomalous.length > 0, merged),
        },
        overTime: merged,
        members: carriers.map((w) => w.index),
      },
    ];
  }
  return failures.map((failureAt, k) => {
    // The piece of the timeline that ends with this failure: after the previous one, up to it
    // (the last piece keeps the rest).
    const from = k === 0 ? -Infinity : failures[k - 1]!;
    const to = k === failures.length - 1 ? Infinity : failureAt;
    const inPiece = (t: number) => t > from && t <= to;
    const carriers = anomalous.filter((w) => instantOf(w.record.label.failure_at) === failureAt);
    const onsets = carriers.map((w) => instantOf(w.record.label.onset_at)).filter(Number.isFinite);
    const keep = Array.from(merged.t, (t) => inPiece(t));
    return {
      system: {
        systemId: rackId,
        failureType: carriers[0]!.record.label.failure_type,
        anomaly: true,
        alarms: alarms.filter(inPiece),
        failureAt,
        onsetAt: onsets.length > 0 ? Math.min(...onsets) : NaN,
        spanStart: k === 0 ? merged.spanStart : Math.max(merged.spanStart, from),
        spanEnd: Math.min(merged.spanEnd, to),
      },
      overTime: {
        t: merged.t.filter((_, i) => keep[i]!),
        score: merged.score.filter((_, i) => keep[i]!),
        spanStart: k === 0 ? merged.spanStart : Math.max(merged.spanStart, from),
        spanEnd: Math.min(merged.spanEnd, to),
      },
      members: carriers.map((w) => w.index),
    };
  });
}
