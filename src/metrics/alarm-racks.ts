/**
 * The rule of what alarm metrics judge, shared by `harness run` (runner/alarm-units.ts) and
 * `harness evaluate --alarms`: one unit per monitored asset. A system without a
 * `parent_system_id` is its own unit; the windows of one rack (same source and parent) are one
 * unit, because an operator watches the rack, not its windows: their alarms and spans make one
 * timeline, and its failure is one event. Judged window by window, a failing rack cut into ten
 * windows was ten failures caught by ten alarms, and a normal rack's time and alarms were counted
 * once per window.
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
import type { AlarmSystem } from './alarm-types.ts';
import type { AlarmStratumValue } from './alarm-breakdown.ts';

/** Where a system sits: its source, and its rack when it is a window of one. */
export interface RackOf {
  readonly source: string;
  readonly parent: string | undefined;
}

/** A group of systems judged as one asset: a rack's windows, or one system on its own. */
export interface RackGroup {
  /** The rack id (`parent_system_id`); undefined for a system that is no window. */
  readonly rack: string | undefined;
  /** Indices of its systems, in input order. */
  readonly members: readonly number[];
}

/**
 * Groups systems `0..n-1` into racks, in order of each group's first system; `rackOf(i)` null
 * leaves system i out. Keyed by source and parent, so a real and a synthetic rack of the same
 * name stay apart.
 */
export function groupRacks(n: number, rackOf: (i: number) => RackOf | null): RackGroup[] {
  const groups = new Map<string, { rack: string | undefined; members: number[] }>();
  for (let i = 0; i < n; i++) {
    const r = rackOf(i);
    if (r === null) continue;
    const key = r.parent === undefined ? `\u0000${i}` : `${r.source}/${r.parent}`;
    const g = groups.get(key);
    if (g) g.members.push(i);
    else groups.set(key, { rack: r.parent, members: [i] });
  }
  return [...groups.values()];
}

/** What a rack's label is made of: each window's own label. */
export interface RackWindowLabel {
  readonly anomaly: boolean;
  readonly failureType: string;
  /** NaN when the label does not say. */
  readonly failureAt: number;
  readonly onsetAt: number;
}

/**
 * A window's label as a rack is made of it; `instant` reads a label's ISO 8601 time (epoch ms,
 * NaN when absent), passed in so that this module stays free of the data layer.
 */
export function rackWindowLabel(
  label: {
    readonly label: string;
    readonly failure_type: string;
    readonly failure_at?: string;
    readonly onset_at?: string;
  },
  instant: (text: string | undefined) => number,
): RackWindowLabel {
  const anomaly = label.label === 'anomaly';
  return {
    anomaly,
    failureType: label.failure_type,
    failureAt: anomaly ? instant(label.failure_at) : NaN,
    onsetAt: anomaly ? instant(label.onset_at) : NaN,
  };
}

/** The rack's whole timeline: its alarms and spans. */
export interface RackTimeline {
  /** Alarm instants of the rack, ascending. */
  readonly alarms: Float64Array;
  /** The rack's span (first to last instant over its windows): a failure's. */
  readonly spanStart: number;
  readonly spanEnd: number;
  /** The span a normal rack's false alarms are counted over; default the rack's span. */
  readonly normalSpan?: Pick<AlarmSystem, 'spanStart' | 'spanEnd' | 'unscored'>;
}

/** One judged unit of a rack, and the piece of its timeline it judges: instants in (from, to]. */
export interface RackUnit {
  readonly system: AlarmSystem;
  /**
   * Indices into the windows whose breakdown values are the unit's: the windows that carry its
   * label (a failing rack's anomalous windows of that failure; every window of a normal rack).
   */
  readonly members: readonly number[];
  readonly from: number;
  readonly to: number;
}

/** The units of one rack: one, or one per distinct failure_at (see the module comment). */
export function rackAlarmSystems(
  rackId: string,
  windows: readonly RackWindowLabel[],
  timeline: RackTimeline,
): RackUnit[] {
  const { alarms, spanStart, spanEnd } = timeline;
  const anomalous = windows.map((_, i) => i).filter((i) => windows[i]!.anomaly);
  const failures = [
    ...new Set(anomalous.map((i) => windows[i]!.failureAt).filter(Number.isFinite)),
  ].sort((a, b) => a - b);
  if (failures.length === 0) {
    // A normal rack, or a failing one whose labels do not say when (not judged, as a system).
    const failing = anomalous.length > 0;
    const carriers = failing ? anomalous : windows.map((_, i) => i);
    return [
      {
        system: {
          systemId: rackId,
          failureType: windows[carriers[0]!]!.failureType,
          anomaly: failing,
          alarms,
          failureAt: NaN,
          onsetAt: NaN,
          ...(failing ? { spanStart, spanEnd } : (timeline.normalSpan ?? { spanStart, spanEnd })),
        },
        members: carriers,
        from: -Infinity,
        to: Infinity,
      },
    ];
  }
  return failures.map((failureAt, k) => {
    // The piece of the timeline that ends with this failure: after the previous one, up to it
    // (the last piece keeps the rest).
    const from = k === 0 ? -Infinity : failures[k - 1]!;
    const to = k === failures.length - 1 ? Infinity : failureAt;
    const carriers = anomalous.filter((i) => windows[i]!.failureAt === failureAt);
    const onsets = carriers.map((i) => windows[i]!.onsetAt).filter(Number.isFinite);
    return {
      system: {
        systemId: rackId,
        failureType: windows[carriers[0]!]!.failureType,
        anomaly: true,
        alarms: alarms.filter((t) => t > from && t <= to),
        failureAt,
        onsetAt: onsets.length > 0 ? Math.min(...onsets) : NaN,
        spanStart: k === 0 ? spanStart : Math.max(spanStart, from),
        spanEnd: Math.min(spanEnd, to),
      },
      members: carriers,
      from,
      to,
    };
  });
}

/**
 * The alarm instants of a rack from its windows' alarm lists, ascending: an instant two
 * overlapping windows both list is one alarm of the rack (kept as often as one window lists it).
 */
export function mergeRackAlarms(lists: readonly ArrayLike<number>[]): Float64Array {
  const most = new Map<number, number>();
  for (const list of lists) {
    const here = new Map<number, number>();
    for (let i = 0; i < list.length; i++) here.set(list[i]!, (here.get(list[i]!) ?? 0) + 1);
    for (const [t, c] of here) if (c > (most.get(t) ?? 0)) most.set(t, c);
  }
  const out: number[] = [];
  for (const [t, c] of most) for (let j = 0; j < c; j++) out.push(t);
  return Float64Array.from(out).sort();
}

/** A unit's value in a breakdown column: its members' values, each once (a rack's windows share theirs). */
export function rackStratumValue(values: readonly AlarmStratumValue[]): AlarmStratumValue {
  if (values.length === 1) return values[0];
  const names = new Set<string>();
  for (const v of values) {
    if (Array.isArray(v)) for (const x of v) names.add(String(x));
    else if (v !== null && v !== undefined && v !== '') names.add(String(v as string));
  }
  const list = [...names];
  return list.length === 0 ? undefined : list.length === 1 ? list[0] : list;
}
