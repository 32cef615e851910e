/**
 * Window scenarios (`window: '1h'`): each rack's long series is generated as usual (days ×
 * interval, one plan, one seed), then cut into consecutive windows of the planned sample grid,
 * each window a system of its own, so models are trained and judged at the grain real
 * monitoring uses.
 *
 * Labels per window. The failure happens `leadTimeDays` after the rack's last planned sample
 * (the rack's `failure_at`). A window's lead time is the time from its own last row to the
 * failure, in days. A window of a failing rack is `anomaly` when that lead time is at most the
 * precursor horizon (the scenario's `precursorDays`, or the failure type's own horizon: where its
 * precursor has faded to 5 % of its strength at the event), that is when its last row is at or
 * after the onset (`onset_at` = `failure_at` − the same horizon, failure-times.ts), and `normal`
 * before it: the rack had not started to fail in a way the physics shows. Windows of healthy
 * racks are normal. An anomalous window carries its rack's `failure_at`/`onset_at`; a normal
 * window carries neither (labels allow them only on anomalies), though its rack may fail later.
 *
 * Ids are `<rack>-w0000` (zero-padded to at least four digits), metadata is the rack's with
 * `parent_system_id` naming the rack, so a split can keep all windows of a rack on one side.
 * A trailing stretch shorter than a window is dropped, and so is a window left with fewer than
 * two rows by telemetry outages (indices keep counting, so ids do not shift).
 */
import type { FailureType, LabelRow, MetadataRow } from '../data/index.ts';
import {
  failureInstants,
  failureTimes,
  PRECURSOR_FLOOR,
  precursorHorizonDays,
} from './failure-times.ts';
import { generateSystem, planToLabel, planToMetadata } from './generate.ts';
import type {
  GeneratedSystem,
  ResolvedScenario,
  ResolvedWindow,
  SystemPlan,
  WindowSpec,
} from './types.ts';

const DAY_MS = 86_400_000;
export { PRECURSOR_FLOOR, precursorHorizonDays };

/** One window (or a whole series) as the fleet writer takes it. */
export interface SystemPart {
  readonly systemId: string;
  readonly timestamps: Float64Array;
  readonly columns: Readonly<Record<string, Float64Array>>;
  readonly metadata: MetadataRow;
  readonly label: LabelRow;
  /** Rows (indices into `timestamps`) the writer repeats verbatim, as loggers do (events.ts). */
  readonly repeatRows?: readonly number[];
}

/**
 * Validates a scenario's `window` knob against its sampling: a whole number of samples, at
 * least two, and no longer than the series. `parse` reads a duration as `interval` does.
 */
export function resolveWindow(
  raw: number | string | WindowSpec,
  intervalSeconds: number,
  samples: number,
  parse: (v: number | string) => number,
  fail: (field: string, problem: string, got: unknown) => never,
): ResolvedWindow {
  const spec: WindowSpec =
    typeof raw === 'object' && raw !== null ? raw : { length: raw as number | string };
  let seconds = 0;
  try {
    seconds = parse(spec.length);
  } catch (e) {
    fail('window', `is invalid: ${(e as Error).message.replace(/^interval/, 'window')}`, raw);
  }
  const perWindow = seconds / intervalSeconds;
  if (!Number.isInteger(perWindow))
    fail('window', `must be a whole number of ${intervalSeconds} s samples`, spec.length);
  if (perWindow < 2)
    fail('window', `must span at least two samples of ${intervalSeconds} s`, spec.length);
  if (perWindow > samples)
    fail('window', `is longer than the series (${samples} samples)`, spec.length);
  const p = spec.precursorDays;
  if (p !== undefined && (typeof p !== 'number' || !Number.isFinite(p) || p < 0))
    fail('window.precursorDays', 'must be a number of days ≥ 0', p);
  return { seconds, precursorDays: p ?? null };
}

/** `<parent>-w0042`: 0-based, zero-padded to at least four digits (more for longer series). */
export function windowId(parent: string, index: number, total: number): string {
  const width = Math.max(4, String(Math.max(0, total - 1)).length);
  return `${parent}-w${String(index).padStart(width, '0')}`;
}

/** The label of a window of `plan` whose last sample is at `endMs` (see the module comment). */
export function windowLabel(
  plan: SystemPlan,
  systemId: string,
  endMs: number,
  window: ResolvedWindow,
): LabelRow {
  const f = plan.failure;
  const normal: LabelRow = {
    system_id: systemId,
    label: 'normal',
    failure_type: 'none',
    lead_time_days: null,
    source: 'synthetic',
    label_version: 1,
  };
  const at = failureInstants(plan, window.precursorDays);
  // Decided on the instants the label writes, so onset_at and the label cannot disagree.
  if (!f || !at || endMs < at.onsetMs) return normal;
  return {
    ...normal,
    label: 'anomaly',
    failure_type: f.type,
    lead_time_days: Math.round(((at.failureMs - endMs) / DAY_MS) * 100) / 100,
    // Every anomalous window carries its rack's failure and the onset of this horizon.
    ...failureTimes(plan, window.precursorDays),
  };
}

/**
 * Cuts a generated rack into its windows. Rows are assigned by their planned sample index (the
 * grid point a row's timestamp is nearest: jitter stays within ±40 % of the interval, events.ts),
 * not by their jittered time, so a window holds a whole number of samples (60 one-minute samples
 * an hour, not 59 or 61) and covers the same stretch of time whatever rows a fault removed;
 * columns are views (subarrays), not copies.
 */
export function cutWindows(
  sys: GeneratedSystem,
  metadata: MetadataRow,
  window: ResolvedWindow,
): SystemPart[] {
  const { plan, timestamps } = sys;
  const stepMs = plan.intervalSeconds * 1000;
  const perWindow = Math.round(window.seconds / plan.intervalSeconds);
  const total = Math.floor(plan.samples / perWindow);
  const out: SystemPart[] = [];
  let row = 0;
  for (let k = 0; k < total; k++) {
    const endIndex = (k + 1) * perWindow; // exclusive, in planned samples
    const first = row;
    while (
      row < timestamps.length &&
      Math.round(((timestamps[row] as number) - plan.startMs) / stepMs) < endIndex
    )
      row++;
    if (row - first < 2) continue;
    const systemId = windowId(plan.systemId, k, total);
    const columns: Record<string, Float64Array> = {};
    for (const [name, col] of Object.entries(sys.columns)) columns[name] = col.subarray(first, row);
    // A repeated row stays repeated in the window that holds it, at its index there.
    const repeatRows = (sys.repeatRows ?? [])
      .filter((r) => r >= first && r < row)
      .map((r) => r - first);
    out.push({
      systemId,
      timestamps: timestamps.subarray(first, row),
      columns,
      metadata: { ...metadata, system_id: systemId, parent_system_id: plan.systemId },
      label: windowLabel(plan, systemId, timestamps[row - 1] as number, window),
      ...(repeatRows.length ? { repeatRows } : {}),
    });
  }
  return out;
}

/**
 * What one plan writes: the whole series as one system, or (in a window scenario) its windows.
 * Generated lazily by the callers, one rack at a time, so memory stays bounded by one rack.
 */
export function systemParts(plan: SystemPlan, scenario: ResolvedScenario): SystemPart[] {
  const sys = generateSystem(plan, scenario);
  const metadata = planToMetadata(plan);
  if (!scenario.window) {
    const { timestamps, columns, repeatRows } = sys;
    return [
      {
        systemId: plan.systemId,
        timestamps,
        columns,
        metadata,
        label: planToLabel(plan),
        ...(repeatRows ? { repeatRows } : {}),
      },
    ];
  }
  return cutWindows(sys, metadata, scenario.window);
}
